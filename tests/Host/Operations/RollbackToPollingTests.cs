using System.Diagnostics;
using Cop.Persistence.Schema;
using Cop.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.Host.Operations;

/// <summary>plan-v7's rollback plan, made to survive restarts: the NOTIFY triggers rolled back and
/// held, `cop run` in poll mode deciding bars, restarted, then rolled forward.</summary>
[Collection(HostCollection.Name)]
public class RollbackToPollingTests(ITestOutputHelper output)
{
    private const string Triggers = "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'trg_notify%'";

    [Fact]
    public async Task Rolled_back_to_polling_cop_run_decides_bars_across_restarts_and_rolls_forward()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("rollback");
        var database = new NpgsqlConnectionStringBuilder(cs).Database!;
        var home = Path.Combine(Path.GetTempPath(), $"cop-rollback-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        var poll = new Dictionary<string, string> { ["COP_NOTIFY_MODE"] = "poll" };
        try
        {
            // The operator rolls the triggers back (the spec's rollback_033) and records why.
            var env = new Dictionary<string, string> { ["COP_DATABASE_URL"] = cs };
            var (code, said) = await RunningCop.RunAsync(home, env, "migrate", "--rollback-only", "033", "--reason", "NOTIFY storm", "--by", "ops");
            output.WriteLine(said);
            Assert.True(code == 0, said);
            Assert.Contains("Held (only 033) by ops", said);
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, Triggers));

            var decided = 0;
            for (var start = 1; start <= 2; start++)
            {
                await using var cop = await RunningCop.StartAsync(cs, poll, baseline: start == 1, home: home);
                try
                {
                Assert.Contains("Migrations held back (only 033)", cop.Log);
                Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, Triggers));   // cop run did not re-apply them
                Assert.Equal(0L, await ListenersAsync(cs, database));
                var clock = Stopwatch.StartNew();
                await Sql.InsertBarsAsync(cs, decided, decided + 10);
                decided += 10;
                await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n == decided,
                    TimeSpan.FromSeconds(30), $"{decided} decisions in poll mode");
                output.WriteLine($"start {start} (poll): 10 bars decided {clock.ElapsedMilliseconds} ms after their INSERT");
                var metrics = await cop.MetricsAsync();
                Assert.Contains("notify_mode=\"poll\"", metrics);
                Assert.True(RunningCop.Value(metrics, "usdcop_notify_events_total", "channel=\"new_ohlcv_bar\",status=\"poll\"") >= 10);
                Assert.Equal(0, RunningCop.Value(metrics, "usdcop_notify_events_total", "channel=\"new_ohlcv_bar\",status=\"success\""));
                Assert.Equal(200, (await cop.HealthAsync()).Status);
                Assert.Equal(0, await cop.StopAsync());
                }
                finally { output.WriteLine(cop.Log); }
            }
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, Triggers));

            // Roll forward: the triggers are back, and `cop run` in listen mode LISTENs (cop-listen-*).
            (code, said) = await RunningCop.RunAsync(home, env, "migrate", "--roll-forward");
            output.WriteLine(said);
            Assert.True(code == 0, said);
            Assert.Contains("033_event_triggers", said);
            Assert.Equal(2L, await Sql.ScalarAsync<long>(cs, Triggers));
            await using (var cop = await RunningCop.StartAsync(cs, baseline: false, home: home))
            {
                Assert.DoesNotContain("Migrations held back", cop.Log);
                await Eventually.Read(() => ListenersAsync(cs, database), n => n == 2, TimeSpan.FromSeconds(30), "cop-listen-* connections");
                await Sql.InsertBarsAsync(cs, decided, decided + 10);
                decided += 10;
                await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n == decided,
                    TimeSpan.FromSeconds(30), $"{decided} decisions after rolling forward");
                Assert.True(RunningCop.Value(await cop.MetricsAsync(), "usdcop_notify_events_total", "channel=\"new_ohlcv_bar\",status=\"success\"") > 0);
            }
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM (SELECT bar_time FROM trading.model_inferences GROUP BY 1 HAVING count(*) > 1) d"));
        }
        finally
        {
            try { Directory.Delete(home, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_rollback_to_a_number_holds_every_newer_migration_until_rolled_forward()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("rollbackto");
        var all = DatabaseMigrator.Applied(cs);
        var undone = DatabaseMigrator.RollbackTo(cs, "032", "ops", "test");
        Assert.Contains(undone, m => m.Contains("033_"));
        Assert.Empty(DatabaseMigrator.Apply(cs));   // what `cop run` does at start: nothing newer than 032
        Assert.All(DatabaseMigrator.Applied(cs), m => Assert.True(string.CompareOrdinal(Path.GetFileName(m.Replace("migrations/", ""))[..3], "032") <= 0, m));
        var (lifted, applied) = DatabaseMigrator.RollForward(cs);
        Assert.Equal("032", Assert.Single(lifted).Number);
        Assert.Equal(undone.Order(), applied.Order());
        Assert.Equal(all, DatabaseMigrator.Applied(cs));
        Assert.Empty(DatabaseMigrator.Holds(cs));
    }

    private static Task<long> ListenersAsync(string cs, string database) =>
        Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_stat_activity WHERE datname = @d AND application_name LIKE 'cop-listen-%'", ("d", database));
}
