using Cop.Persistence.Schema;
using Cop.Tests.Infrastructure;

namespace Cop.Tests.Persistence;

[Collection(PersistenceCollection.Name)]
public class MigrationTests
{
    private static readonly string[] Tables =
    [
        "public.usdcop_m5_ohlcv", "public.macro_daily", "public.macro_monthly", "public.macro_quarterly",
        "public.inference_features_5m", "public.model_registry", "public.experiment_runs",
        "public.backtest_results", "public.promotion_requests", "trading.model_inferences",
        "trading.trades", "ml.model_promotion_audit", "public.quarantine",
        "system.stream_watermarks", "system.dead_letter_queue", "public.experiment_models",
    ];

    [Fact]
    public async Task Applies_all_rolls_all_back_and_applies_again()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("mig", migrate: false);

        var applied = DatabaseMigrator.Apply(cs);
        Assert.Equal(DatabaseMigrator.AllMigrations(), applied);
        foreach (var t in Tables) Assert.True(await Exists(cs, t), $"{t} missing after migrate");
        Assert.Equal(2, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'trg_notify%'"));

        var undone = DatabaseMigrator.Rollback(cs);
        Assert.Equal(applied.Reverse(), undone);
        foreach (var t in Tables) Assert.False(await Exists(cs, t), $"{t} still there after rollback");
        Assert.Equal(0, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'trg_notify%'"));
        Assert.Empty(DatabaseMigrator.Applied(cs));

        Assert.Equal(applied, DatabaseMigrator.Apply(cs));
        foreach (var t in Tables) Assert.True(await Exists(cs, t), $"{t} missing after re-apply");
        Assert.Empty(DatabaseMigrator.Apply(cs)); // idempotent: nothing left to do
    }

    [Fact]
    public async Task Rolling_back_033_returns_to_polling_schema_and_keeps_data()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("mig33");
        await Sql.InsertBarsAsync(cs, 0, 3);
        var undone = DatabaseMigrator.Rollback(cs, keepThrough: "032");
        // Newest first: the later migrations, 034 (macro_as_of), then 033.
        Assert.EndsWith("034_macro_as_of.sql", undone[^2]);
        Assert.EndsWith("033_event_triggers.sql", undone[^1]);
        Assert.Equal(0, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'trg_notify%'"));
        Assert.Equal(3, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM usdcop_m5_ohlcv"));
        DatabaseMigrator.Apply(cs);
        Assert.Equal(2, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'trg_notify%'"));
    }

    [Fact]
    public void Every_migration_has_a_rollback_script()
    {
        var rollbacks = typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("rollback/")).ToList();
        foreach (var m in DatabaseMigrator.AllMigrations())
        {
            var number = m["migrations/".Length..].Split('_')[0];
            Assert.Contains(rollbacks, r => r.StartsWith($"rollback/rollback_{number}_"));
        }
    }

    private static Task<bool> Exists(string cs, string table) =>
        Sql.ScalarAsync<bool>(cs, "SELECT to_regclass(@t) IS NOT NULL", ("t", table));
}
