using Akka.Actor;
using Cop.Actors.Macro;
using Cop.Persistence.Stores;
using Cop.Tests.Infrastructure;
using Cop.Trading.Macro;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.Actors;

/// <summary>The MacroVariable tree on a real PostgreSQL, with a scripted source at the seam.</summary>
[Collection(ActorsCollection.Name)]
public class MacroActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly DateOnly Today = new(2025, 6, 30);

    /// <summary>Serves a fixed daily series per variable; can hold one variable's first call.</summary>
    private sealed class ScriptedSource(Dictionary<string, List<MacroValue>> series) : IMacroSource
    {
        public TaskCompletionSource? Hold;
        public string? HoldColumn;
        public readonly List<(string, DateOnly, DateOnly)> Calls = [];
        public string Name => "scripted";
        public BreakerState BreakerState => BreakerState.Closed;

        public async Task<IReadOnlyList<MacroValue>> FetchAsync(MacroVariableSpec v, DateOnly from, DateOnly to, CancellationToken ct = default)
        {
            lock (Calls) Calls.Add((v.Column, from, to));
            if (v.Column == HoldColumn && Hold is { } hold) { HoldColumn = null; await hold.Task; }
            await Task.Yield();
            return [.. series[v.Column].Where(x => x.Date >= from && x.Date <= to)];
        }
    }

    private static MacroVariableSpec Daily(string column, int maxGap = 7) =>
        new(column, "scripted", column, MacroFrequency.Daily, 1, maxGap, 0, 1000, 0.5);

    /// <summary>A fresh database and the supervisor of a scripted DXY series on it, as the
    /// ingestion root's tests give it; the data source is the caller's to dispose.</summary>
    private static async Task<(NpgsqlDataSource Db, Props Scripted)> ScriptedDxyAsync(string database)
    {
        var db = NpgsqlDataSource.Create(await SharedPostgres.NewDatabaseAsync(database));
        var dxy = Daily("fxrt_index_dxy_usa_d_dxy");
        var source = new ScriptedSource(new() { [dxy.Column] = Series(new(2025, 6, 1), Today, 100) });
        return (db, MacroSourceSupervisor.Props(source, [dxy], new MacroStore(db), new(2025, 6, 1), 15));
    }

    private static List<MacroValue> Series(DateOnly from, DateOnly to, double start) =>
        [.. Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => new MacroValue(from.AddDays(i), start + i * 0.1))];

    [Fact]
    public async Task A_run_seeds_fills_gaps_and_refreshes_per_variable_and_a_crashed_variable_loses_and_duplicates_nothing()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("macroactors");
        await using var db = NpgsqlDataSource.Create(cs);
        var store = new MacroStore(db);
        var (dxy, vix, embi) = (Daily("fxrt_index_dxy_usa_d_dxy"), Daily("volt_vix_usa_d_vix"), Daily("crsk_spread_embi_col_d_embi"));
        var source = new ScriptedSource(new()
        {
            [dxy.Column] = Series(new(2025, 1, 1), Today, 100),
            [vix.Column] = Series(new(2025, 1, 1), Today, 15),
            [embi.Column] = Series(new(2025, 1, 1), Today, 300),
        });
        // States before the run: dxy empty, vix stale (last value 40 days ago), embi fresh.
        await store.UpsertAsync(vix, [.. await source.FetchAsync(vix, new(2025, 5, 1), new(2025, 5, 21))]);
        await store.UpsertAsync(embi, [.. await source.FetchAsync(embi, new(2025, 6, 1), new(2025, 6, 29))]);
        source.Calls.Clear();

        var seedStart = new DateOnly(2025, 1, 1);
        var supervisor = Sys.ActorOf(MacroSourceSupervisor.Props(source, [dxy, vix, embi], store, seedStart, 15), "scripted");
        source.Hold = new TaskCompletionSource();
        source.HoldColumn = dxy.Column;
        var firstRun = supervisor.Ask<MacroSourceSupervisor.SourceRunCompleted>(new MacroSourceSupervisor.RunAll(Today, TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(10));

        // dxy dies in the middle of its fetch (a crash, not a source error): its back-off supervisor
        // restarts it, and this run reports it lost. (Kill would wait behind the running handler.)
        await AwaitAssertAsync(() => Assert.Contains(source.Calls, c => c.Item1 == dxy.Column));
        source.Hold.SetException(new InvalidOperationException("simulated crash in the middle of a run"));
        var first = await firstRun;
        Assert.Equal(MacroRunResult.Lost, first.Results.Single(r => r.Variable == dxy.Column).Result);
        Assert.All(first.Results.Where(r => r.Variable != dxy.Column), r => Assert.Equal(MacroRunResult.Ok, r.Result));

        var plans = source.Calls.ToDictionary(c => c.Item1, c => c.Item2);
        Assert.Equal(seedStart, plans[dxy.Column]);               // seed
        Assert.Equal(new DateOnly(2025, 5, 21), plans[vix.Column]); // gap: from the last date
        Assert.Equal(new DateOnly(2025, 6, 15), plans[embi.Column]); // refresh: the last 15 observations

        var second = await supervisor.Ask<MacroSourceSupervisor.SourceRunCompleted>(new MacroSourceSupervisor.RunAll(Today, TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10));
        Assert.All(second.Results, r => Assert.Equal(MacroRunResult.Ok, r.Result));

        // Every value of every series exactly once, equal to the source's.
        foreach (var v in new[] { dxy, vix, embi })
        {
            var expected = await source.FetchAsync(v, v == vix ? new DateOnly(2025, 5, 1) : v == embi ? new DateOnly(2025, 6, 1) : seedStart, Today);
            var (dates, values) = await store.ReadTableAsync("macro_daily", [v.Column]);
            var stored = dates.Zip(values[0], (d, x) => (d, x)).Where(p => p.x is not null).Select(p => new MacroValue(p.d, p.x!.Value)).ToList();
            Assert.Equal(expected, stored);
        }
        Assert.Equal((long)(Today.DayNumber - seedStart.DayNumber + 1), await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM macro_daily WHERE fxrt_index_dxy_usa_d_dxy IS NOT NULL"));
        var status = await store.StatusAsync([dxy, vix, embi]);
        Assert.All(status, s => Assert.Equal(MacroRunResult.Ok, s.Result));
    }

    [Fact]
    public async Task The_ingestion_root_runs_every_source_then_completes_once()
    {
        var (db, scripted) = await ScriptedDxyAsync("macroroot");
        await using var _ = db;
        var completions = 0;
        var root = Sys.ActorOf(MacroIngestion.Props(
            new Dictionary<string, Props> { ["scripted"] = scripted },
            _ => { Interlocked.Increment(ref completions); return Task.CompletedTask; },
            schedule: TimeSpan.FromHours(1), runTimeout: TimeSpan.FromSeconds(5)));
        var done = await root.Ask<MacroIngestion.IngestionCompleted>(new MacroIngestion.RunNow(), TimeSpan.FromSeconds(15));
        Assert.Equal(MacroRunResult.Ok, Assert.Single(done.Results).Result);
        Assert.Equal(1, completions);
    }

    [Fact]
    public async Task A_killed_source_supervisor_comes_back_under_its_back_off_and_the_next_run_reaches_it()
    {
        var (db, scripted) = await ScriptedDxyAsync("macrorestart");
        await using var _ = db;
        var root = Sys.ActorOf(MacroIngestion.Props(
            new Dictionary<string, Props> { ["scripted"] = scripted },
            _ => Task.CompletedTask, schedule: TimeSpan.FromHours(1), runTimeout: TimeSpan.FromSeconds(5), firstRun: TimeSpan.FromHours(1),
            minBackoff: TimeSpan.FromMilliseconds(50), maxBackoff: TimeSpan.FromMilliseconds(200)));
        var path = root.Path / "scripted" / "source";
        IActorRef before = ActorRefs.Nobody;   // the tree starts asynchronously
        await AwaitAssertAsync(async () => before = await Sys.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(10));
        Watch(before);
        before.Tell(Kill.Instance);   // Akka's default would stop it for good: every later run would time out
        ExpectTerminated(before);
        await AwaitAssertAsync(async () => Assert.NotEqual(before, await Sys.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(1))),
            TimeSpan.FromSeconds(10));
        var done = await root.Ask<MacroIngestion.IngestionCompleted>(new MacroIngestion.RunNow(), TimeSpan.FromSeconds(15));
        Assert.Equal(MacroRunResult.Ok, Assert.Single(done.Results).Result);
    }

    [Fact]
    public async Task A_source_that_does_not_answer_costs_its_own_variables_not_the_others_nor_the_completion()
    {
        var (db, scripted) = await ScriptedDxyAsync("macrosilent");
        await using var _ = db;
        var completions = 0;
        var root = Sys.ActorOf(MacroIngestion.Props(
            new Dictionary<string, Props>
            {
                ["scripted"] = scripted,
                ["silent"] = Akka.TestKit.TestActors.BlackHoleActor.Props,   // never answers a round
            },
            _ => { Interlocked.Increment(ref completions); return Task.CompletedTask; },
            schedule: TimeSpan.FromHours(1), runTimeout: TimeSpan.FromSeconds(1), firstRun: TimeSpan.FromHours(1),
            askMargin: TimeSpan.FromMilliseconds(200)));
        var done = await root.Ask<MacroIngestion.IngestionCompleted>(new MacroIngestion.RunNow(), TimeSpan.FromSeconds(15));
        Assert.Equal(MacroRunResult.Ok, Assert.Single(done.Results).Result);
        Assert.Equal(1, completions);
    }
}
