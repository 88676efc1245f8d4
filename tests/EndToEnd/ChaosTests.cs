using Cop.Actors.Models;
using Cop.Host.Admin;
using Cop.Host.Application;
using Cop.Persistence.Stores;
using Cop.Streams.Decisions;
using Cop.Streams.Ingestion;
using Cop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>`cop load` and `cop chaos` on one node (CI size: 300 bars, 30 s of chaos): actors killed
/// through the admin endpoint and LISTEN backends terminated while bars flow; afterwards every bar has
/// one feature row and one decision, identical to an undisturbed run, no dead letter is unresolved,
/// and the journal replays to the same rows.</summary>
[Collection(EndToEndCollection.Name)]
public class ChaosTests(ITestOutputHelper output)
{
    private const int Bars = 300;
    // A Friday's session end (Bogota 13:00): the 300 slots are the five trading days before it.
    private static readonly DateTime End = new(2026, 11, 27, 18, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Bars_loaded_under_chaos_are_each_decided_once_as_in_an_undisturbed_run()
    {
        var settings = ShippedConfig.Settings();
        var log = new TestLogger(output);
        var bars = BarLoad.Retime(LivePath.BarFile, Bars, End);
        Assert.Equal(End.AddMinutes(-5), bars[^1].Time.UtcDateTime);
        Assert.All(bars, b => Assert.True(Cop.Trading.TradingSession.IsSessionBar(b.Time.UtcDateTime)));

        var cs = await SharedPostgres.NewDatabaseAsync("chaos");
        await using var path = await LivePath.StartAsync(cs, settings, log);
        await using var admin = await AdminEndpoint.StartAsync(() => path.System, path.App!.Runtime, new AdminSettings("http://127.0.0.1:0", ""), settings.Hocon);
        var lines = new List<string>();
        var monkey = new ChaosMonkey(new Uri(admin.Urls[0]).Authority, null, cs, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(1500),
            line => { lock (lines) lines.Add(line); output.WriteLine(line); });
        await using var store = new BarStore(cs);
        var ingester = new BarIngester(store, new QuarantineStore(path.Db), settings.Validation, "load");
        var chaos = monkey.RunAsync(seed: 7, TimeSpan.FromSeconds(30));
        var load = BarLoad.RunAsync(ingester, bars, rate: 12);
        var report = await load;
        var steps = await chaos;
        output.WriteLine($"load: {report.Inserted} inserted, {report.RejectedTotal} rejected; chaos: {steps.Count} steps");
        Assert.Equal(Bars, report.Inserted);
        Assert.Contains(steps, s => s.Action.StartsWith("kill /user/models/") && s.Outcome.StartsWith("killed"));
        Assert.Contains(steps, s => s.Action.StartsWith("kill /user/bar-series/") && s.Outcome.StartsWith("killed"));
        Assert.Contains(steps, s => s.Action.StartsWith("kill supervisor") && s.Outcome.StartsWith("killed"));
        Assert.Contains(steps, s => s.Action == "terminate listener backends" && !s.Outcome.StartsWith("0 "));

        var from = bars[0].Time.UtcDateTime;
        await Eventually.Read(async () => await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM inference_features_5m") == Bars
                && await Sql.ScalarAsync<long>(cs, GaplessDecisionTests.NotDecidedOnce, ("from", from)) == 0, all => all, TimeSpan.FromSeconds(120),
            $"all {Bars} feature rows, each decided once", every: TimeSpan.FromMilliseconds(200));
        // Dead letters of the chaos (if any) resolve once retried: their bars are decided.
        var letters = await new DeadLetterStore(path.Db).ListAsync();
        output.WriteLine($"dead letters: {letters.Count}");
        await new DeadLetterRetrier(new DeadLetterStore(path.Db), path.App.Runtime.Trading!.Models, TimeSpan.FromSeconds(5), new DecisionStore(path.Db))
            .RetryDueAsync(DateTime.UtcNow.AddHours(1));
        Assert.All(await new DeadLetterStore(path.Db).ListAsync(), l => Assert.Equal("RESOLVED", l.Status));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, GaplessDecisionTests.ResolvedUndecided));
        Assert.Equal(Bars, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"));

        // The journal replays to exactly these rows.
        var replay = await ModelReplay.RunAsync(path.System, path.Db, BaselinePolicy.ModelId, settings.Trading.Models.Symbol, null, verify: true, repair: false);
        Assert.Empty(replay.Differences);
        Assert.Equal(Bars, replay.History.Decisions.Count);

        var disturbed = await Sql.ScalarAsync<string>(cs, GaplessDecisionTests.Decisions);
        Assert.Equal(await UndisturbedAsync(settings, log, bars), disturbed);
    }

    private static async Task<string> UndisturbedAsync(Cop.Host.Configuration.CopSettings settings, TestLogger log, IReadOnlyList<Cop.Trading.Validation.RawBar> bars)
    {
        var cs = await SharedPostgres.NewDatabaseAsync("calm");
        await using var path = await LivePath.StartAsync(cs, settings, log);
        await using var store = new BarStore(cs);
        await BarLoad.RunAsync(new BarIngester(store, new QuarantineStore(path.Db), settings.Validation, "load"), bars, rate: 1_000);
        await path.DecidedAsync(bars.Count, TimeSpan.FromSeconds(120));
        return await Sql.ScalarAsync<string>(cs, GaplessDecisionTests.Decisions);
    }
}
