using Cop.Persistence.Schema;
using Cop.Tests.Infrastructure;

namespace Cop.Tests.Persistence;

[Collection(PersistenceCollection.Name)]
public class ConcurrentMigrationTests
{
    [Fact]
    public async Task Databases_of_one_cluster_can_migrate_at_the_same_moment()
    {
        // Roles are cluster-wide: eight simultaneous migrations race to create them.
        var databases = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SharedPostgres.NewDatabaseAsync("race", migrate: false)));
        await Task.WhenAll(databases.Select(cs => Task.Run(() => DatabaseMigrator.Apply(cs))));
        foreach (var cs in databases)
            Assert.Equal(1L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_roles WHERE rolname = 'cop_feature_writer'"));
    }
}
