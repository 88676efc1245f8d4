using Cop.Persistence.Schema;
using Cop.Tests.Infrastructure;
using Npgsql;

namespace Cop.Tests.Persistence;

/// <summary>The demo's and the benchmarks' clean start: a database recreated empty next to another.</summary>
[Collection(PersistenceCollection.Name)]
public class FreshDatabaseTests
{
    [Fact]
    public async Task Recreating_a_database_empties_it_even_while_a_session_holds_it()
    {
        var main = await SharedPostgres.NewDatabaseAsync("fresh_main", migrate: false);
        var name = $"fresh_{Guid.NewGuid():N}"[..20];
        var cs = await FreshDatabase.RecreateAsync(main, name);
        Assert.Equal(name, new NpgsqlConnectionStringBuilder(cs).Database);
        // Unpooled: the recreation ends every session on the old database, a pooled one included.
        var direct = new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString;
        await Sql.ExecAsync(direct, "CREATE TABLE left_over (id int)");

        // A session still connected (a previous demo's) is ended by WITH (FORCE), not waited for.
        await using var holder = new NpgsqlConnection(direct);
        await holder.OpenAsync();
        var again = await FreshDatabase.RecreateAsync(main, name);

        Assert.Equal(cs, again);
        Assert.False(await Sql.ScalarAsync<bool>(direct, "SELECT to_regclass('public.left_over') IS NOT NULL"));
        await using var probe = new NpgsqlCommand("SELECT 1", holder);
        Assert.Equal("57P01", (await Assert.ThrowsAsync<PostgresException>(() => probe.ExecuteScalarAsync())).SqlState);
    }
}
