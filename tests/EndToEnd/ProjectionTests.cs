using Akka.Actor;
using Akka.Configuration;
using Cop.Actors.Models;
using Cop.Actors.Projections;
using Cop.Persistence.Stores;
using Cop.Tests.Infrastructure;
using Cop.Trading.Decisions;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>The model-daily-pnl projection on the live path: built from the journal while bars are
/// decided, crashed mid-way (failures before and after its commit, and Akka's Kill), then compared
/// with a rebuild from zero (`cop projections rebuild`, a one-pass run) and with the same figures
/// recomputed from trading.model_inferences, trading.trades and the bars.</summary>
[Collection(EndToEndCollection.Name)]
public class ProjectionTests(ITestOutputHelper output)
{
    private const string Projection = "/user/projection-model-daily-pnl/projection";

    [Fact]
    public async Task A_projection_crashed_mid_way_resumes_from_its_offset_and_equals_a_rebuild_and_the_tables()
    {
        var log = new TestLogger(output);
        var shipped = ShippedConfig.Settings();
        // Small batches: the ~1,400 decisions take dozens of batches, so the crashes land mid-way.
        var settings = shipped with { Hocon = ConfigurationFactory.ParseString("cop.projections { batch-size = 40, interval = 200ms }").WithFallback(shipped.Hocon) };
        var cs = await SharedPostgres.NewDatabaseAsync("projection");
        var faults = new Faults();
        await using var path = await LivePath.StartAsync(cs, settings, log, env => env with { Projections = true, ProjectionStore = faults.Wrap });
        faults.Kill = () => path.System.ActorSelection(Projection).Tell(Kill.Instance);
        var bars = await path.IngestAsync(maxDays: 30);
        await path.DecidedAsync(bars);

        var end = await Sql.ScalarAsync<long>(cs, "SELECT max(ordering) FROM journal");
        await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT COALESCE((SELECT journal_offset FROM system.projection_offsets WHERE projection = 'model-daily-pnl'), 0)"),
            o => o >= end, TimeSpan.FromSeconds(60), $"the projection at journal offset {end}");
        output.WriteLine($"{bars} bars; projection applies: {faults.Calls}, failed before commit {faults.Before}, after commit {faults.After}, killed {faults.Kills}");
        Assert.Equal((1, 1, 1), (faults.Before, faults.After, faults.Kills));
        var store = new ModelDailyPnlStore(path.Db);
        var crashed = await store.ReadAsync();
        Assert.Equal(bars, crashed.Sum(r => (long)r.Decisions));
        Assert.True(crashed.Count >= 15, $"{crashed.Count} days");

        // Equal to the figures recomputed from the tables the live path wrote (and the bars' closes).
        var recomputed = await RecomputeAsync(cs, BaselinePolicy.ModelId);
        Assert.Equal(recomputed.Count, crashed.Count);
        foreach (var (p, r) in crashed.Zip(recomputed))
        {
            Assert.Equal((r.Day, r.Decisions, r.Approved, r.Trades, r.Buys, r.Sells, r.FirstBar, r.LastBar), (p.Day, p.Decisions, p.Approved, p.Trades, p.Buys, p.Sells, p.FirstBar, p.LastBar));
            foreach (var (name, a, b) in new[] { ("volume", p.Volume, r.Volume), ("costs", p.Costs, r.Costs), ("open", p.EquityOpen, r.EquityOpen),
                         ("close", p.EquityClose, r.EquityClose), ("low", p.EquityLow, r.EquityLow), ("high", p.EquityHigh, r.EquityHigh) })
                Assert.True(Math.Abs(a - b) < 1e-6, $"{p.Day} {name}: projection {a}, recomputed {b}");
        }
        Assert.True(crashed.Sum(r => r.Trades) > 0);
        Assert.Equal((await path.AccountAsync()).Account.Equity, crashed[^1].EquityClose, 9);

        // Rebuilt from zero in one pass (the CLI, its own process): the same rows exactly.
        await path.StopAsync();
        var home = Directory.CreateTempSubdirectory("cop-projection-").FullName;
        using (var cop = CopProcess.Start(home, new Dictionary<string, string> { ["COP_DATABASE_URL"] = cs }, "projections", "rebuild", "model-daily-pnl"))
        {
            var exit = await cop.ExitCodeAsync(TimeSpan.FromSeconds(90));
            output.WriteLine(cop.Log);
            Assert.Equal(0, exit);
            Assert.Contains($"projection model-daily-pnl rebuilt: {bars} events, {crashed.Count} rows, journal offset {end}", cop.Log);
        }
        Assert.Equal(crashed, await store.ReadAsync());
    }

    /// <summary>The daily figures from the tables alone: decisions and verdicts from model_inferences,
    /// fills from trades, the equity after each decision from the position, entry and realised PnL
    /// the trades imply, marked to the bar's close in usdcop_m5_ohlcv.</summary>
    private static async Task<List<DailyPnl>> RecomputeAsync(string cs, string model)
    {
        await using var conn = new Npgsql.NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("""
            SELECT i.symbol, i.bar_time, i.risk_verdict, b.close, t.side, t.quantity, t.price, t.position_after
            FROM trading.model_inferences i
            JOIN usdcop_m5_ohlcv b ON b.symbol = i.symbol AND b.time = i.bar_time
            LEFT JOIN trading.trades t ON t.model_id = i.model_id AND t.symbol = i.symbol AND t.bar_time = i.bar_time
            WHERE i.model_id = @m ORDER BY i.bar_time
            """, conn);
        cmd.Parameters.AddWithValue("m", model);
        var days = new List<DailyPnl>();
        double position = 0, entry = 0, realised = 0;
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var (symbol, bar, verdict, close) = (r.GetString(0), r.GetDateTime(1), r.GetString(2), r.GetDouble(3));
            var traded = !r.IsDBNull(4);
            double equity, quantity = 0, cost = 0;
            if (traded)
            {
                var (price, after) = (r.GetDouble(6), r.GetDouble(7));
                quantity = r.GetDouble(5);
                cost = Math.Abs(price - close) * quantity;
                realised += position * (price - entry);
                (position, entry) = (after, after == 0 ? 0 : price);
                equity = PaperAccount.InitialEquity + realised + position * (close - price);
            }
            else equity = PaperAccount.InitialEquity + realised + position * (close - entry);
            var day = DateOnly.FromDateTime(bar.AddHours(-5));   // Bogota, UTC-5 all year
            if (days.Count == 0 || days[^1].Day != day)
            {
                var open = days.Count == 0 ? PaperAccount.InitialEquity : days[^1].EquityClose;
                days.Add(new DailyPnl(model, day, symbol, 0, 0, 0, 0, 0, 0, 0, open, equity, equity, equity, bar, bar));
            }
            var d = days[^1];
            days[^1] = d with
            {
                Decisions = d.Decisions + 1, Approved = d.Approved + (verdict == "Approved" ? 1 : 0),
                Trades = d.Trades + (traded ? 1 : 0), Buys = d.Buys + (traded && r.GetString(4) == "BUY" ? 1 : 0), Sells = d.Sells + (traded && r.GetString(4) == "SELL" ? 1 : 0),
                Volume = d.Volume + quantity, Costs = d.Costs + cost,
                EquityClose = equity, EquityLow = Math.Min(d.EquityLow, equity), EquityHigh = Math.Max(d.EquityHigh, equity), LastBar = bar,
            };
        }
        return days;
    }

    /// <summary>The projection's store with three faults, once each: the 3rd apply fails before it
    /// writes, the 6th after it committed (the actor never hears of it), and during the 9th the actor is killed.</summary>
    private sealed class Faults
    {
        private int _calls, _before, _after, _kills;
        public Action Kill { get; set; } = () => { };
        public int Calls => _calls;
        public int Before => _before;
        public int After => _after;
        public int Kills => _kills;

        public IProjectionStore Wrap(IProjectionStore inner) => new Faulty(inner, this);

        private sealed class Faulty(IProjectionStore inner, Faults f) : IProjectionStore
        {
            public string Name => inner.Name;
            public Task<long> OffsetAsync(CancellationToken ct = default) => inner.OffsetAsync(ct);
            public Task ResetAsync(CancellationToken ct = default) => inner.ResetAsync(ct);

            public async Task ApplyAsync(long from, JournalBatch batch, CancellationToken ct = default)
            {
                var n = Interlocked.Increment(ref f._calls);
                if (n == 3) { Interlocked.Increment(ref f._before); throw new IOException("projection store: fault before the write (test)"); }
                if (n == 9) { Interlocked.Increment(ref f._kills); f.Kill(); }
                await inner.ApplyAsync(from, batch, ct);
                if (n == 6) { Interlocked.Increment(ref f._after); throw new IOException("projection store: fault after the commit (test)"); }
            }
        }
    }
}
