using Akka.Serialization;
using Cop.Actors.Serialization;
using Cop.Host.Composition;
using Cop.Tests.Infrastructure;
using Cop.Trading.Decisions;

namespace Cop.Tests.Host;

/// <summary>What AddCop builds, read back from the running actor system: cop.conf wins over the
/// journal plugin's defaults, the journal is on the given database, and the domain's journaled
/// events bind to CopSerializer (a default serializer would orphan stored journals).</summary>
[Collection(HostCollection.Name)]
public class CompositionTests
{
    [Fact]
    public async Task The_actor_system_has_the_journal_on_the_database_and_the_settings_of_cop_conf()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("composition");
        await using var app = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = ShippedConfig.Settings(), ConnectionString = cs, ActorFamilies = false,
        }, "composition");
        var config = app.System.Settings.Config;

        Assert.Equal("akka.persistence.journal.sql", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("akka.persistence.snapshot-store.sql", config.GetString("akka.persistence.snapshot-store.plugin"));
        var journalDb = new Npgsql.NpgsqlConnectionStringBuilder(config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal(new Npgsql.NpgsqlConnectionStringBuilder(cs).Database, journalDb.Database);
        Assert.Equal("cop-journal", journalDb.ApplicationName);
        Assert.Equal("PostgreSQL.15", config.GetString("akka.persistence.journal.sql.provider-name"));
        // cop.conf's tuning, not the plugin's defaults (10 failures; clone connections).
        Assert.Equal(20, config.GetInt("akka.persistence.journal.sql.circuit-breaker.max-failures"));
        Assert.False(config.GetBoolean("akka.persistence.journal.sql.use-clone-connection", true));
        Assert.False(config.GetBoolean("akka.persistence.snapshot-store.sql.use-clone-connection", true));

        var serialization = app.System.Serialization;
        foreach (var type in new[] { typeof(ModelDecided), typeof(BarSkipped), typeof(Cop.Actors.Features.BarSeries.BarsApplied) })
            Assert.IsType<CopSerializer>(serialization.FindSerializerForType(type));
    }
}
