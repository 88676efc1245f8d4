using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Persistence.Stores;
using Cop.Streams.Backtests;
using Cop.Streams.Ingestion;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Cop.Trading.Backtests;
using Cop.Trading.Decisions;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>
/// A backtest is the live path replayed: the baseline deployed live over a slice of the real
/// bundled bars (INSERT -> NOTIFY -> BarSeries -> features -> DeployedModel -> rows), then the
/// backtest of the same model over the same period, in both modes and with rebuilt features: every
/// bar's action, verdict, observation, fill price and the final equity equal the live ones; the
/// stored row's metrics equal a recomputation written here from its stored trades and curve, and
/// its signature one computed here from the documented canonical text.
/// </summary>
[Collection(EndToEndCollection.Name)]
public class BacktestParityTests(ITestOutputHelper output)
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data");

    private sealed record LiveRow(DateTime BarTime, string Action, string Verdict, string Hash, double Confidence, double? Price, double? EquityAfter);

    [Fact]
    public async Task The_backtest_of_a_live_run_gives_its_rows_exactly_in_both_modes_and_from_rebuilt_features()
    {
        var settings = ShippedConfig.Settings();
        var cs = await SharedPostgres.NewDatabaseAsync("btparity");
        await using var db = NpgsqlDataSource.Create(cs);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Path.Combine(Fixtures, "macro_indicators_daily_2019_2020.csv.gz")]);
        var baseline = await ModelRegistration.RegisterBaselineAsync(new ModelRegistryStore(db), Path.Combine(Path.GetTempPath(), $"cop-models-{Guid.NewGuid():N}"), deploy: true);

        // The live path, as `cop run` composes it.
        List<LiveRow> live;
        PaperAccount liveAccount;
        long inserted;
        await using (var app = await CopApplication.StartAsync(new CopEnvironment { Settings = settings, ConnectionString = cs, Log = new TestLogger(output) }, "live"))
        {
            Assert.Equal(1, await app.Runtime.Trading!.WaitForModelsAsync(1, TimeSpan.FromSeconds(20)));
            await using (var bars = new BarStore(cs))
                inserted = (await new BarIngester(bars, new QuarantineStore(db), settings.Validation, "test")
                    .IngestFileAsync(Path.Combine(Fixtures, "usdcop_m5_2020h1.csv.gz"), DateTime.UtcNow, maxDays: 40)).Inserted;
            await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n >= inserted,
                TimeSpan.FromSeconds(90), $"{inserted} live decisions");
            live = await LiveRowsAsync(db, baseline.ModelId);
            var model = await app.System.ActorSelection($"/user/models/{baseline.ModelId}/model").ResolveOne(TimeSpan.FromSeconds(5));
            liveAccount = (await model.Ask<DeployedModel.AccountState>(new DeployedModel.GetAccount(), TimeSpan.FromSeconds(5))).Account;
        }
        Assert.Equal(inserted, live.Count);
        Assert.True(live.Count(r => r.Price is not null) >= 10, $"the slice should trade: {live.Count(r => r.Price is not null)} fills");
        Assert.Contains(live, r => r.Verdict == "Cooldown");   // the risk rules were exercised, not only Approved/NoChange

        // The backtests: the actor mode in Cop's actor system (AddCop) with its journal in memory, as `cop backtest` runs it.
        await using var actors = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = settings, ConnectionString = cs, ActorFamilies = false, InMemoryJournal = true,
        }, "backtest");
        await using var service = new BacktestService(settings, cs, actors.System);
        var (from, to) = (TradingSession.BogotaDate(live[0].BarTime), TradingSession.BogotaDate(live[^1].BarTime));
        var request = new BacktestRequest(baseline.ModelId, BacktestPeriod.Custom, from, to) { KeepDecisions = true, CreatedBy = "parity-test" };
        var fast = await service.Backtester.RunAsync(request);
        var actor = await service.Backtester.RunAsync(request with { Mode = BacktestMode.Actor });
        var rebuilt = await service.Backtester.RunAsync(request with { RebuildFeatures = true });
        var again = await service.Backtester.RunAsync(request);

        foreach (var run in new[] { fast, actor, rebuilt, again })
        {
            Assert.Equal(live.Count, run.Decisions.Count);
            for (var i = 0; i < live.Count; i++)
            {
                var (l, b) = (live[i], run.Decisions[i]);
                Assert.True(l.BarTime == b.BarTime && l.Action == b.Action.ToString().ToUpperInvariant() && l.Verdict == b.Verdict.ToString()
                        && l.Hash == b.ObservationHash && l.Confidence.Equals(b.Confidence) && Nullable.Equals(l.Price, b.Fill?.Price)
                        && (l.EquityAfter is null || l.EquityAfter.Value.Equals(b.EquityAfter)),
                    $"{run.Mode} (rebuilt {run.RebuiltFeatures}) bar {i} {l.BarTime:O}: live {l}, backtest {b}");
            }
            Assert.Equal(liveAccount.Equity, run.Report.FinalEquity);
            Assert.Equal(liveAccount.Trades, run.Report.TotalTrades);
            Assert.Equal(fast.Signature, run.Signature);
        }
        output.WriteLine($"{live.Count} bars, {fast.Report.TotalTrades} fills, final equity {fast.Report.FinalEquity}, signature {fast.Signature}");

        // The stored row: its trades and curve re-derive the metrics (computed here, not by PerformanceReport) and the signature.
        var stored = (await service.Store.LoadAsync(fast.BacktestId))!;
        Assert.Equal((baseline.ModelId, "1", "custom", "fast", "stored", live.Count, "backend", "parity-test"),
            (stored.ModelId, stored.ModelVersion, stored.PeriodType, stored.Engine, stored.FeaturesSource, stored.Bars, stored.RunSource, stored.CreatedBy));
        Assert.Equal((from, to), (stored.StartDate, stored.EndDate));
        Assert.Equal(fast.Report.Fills, stored.Trades);
        Assert.Equal(fast.Report.EquityCurve, stored.EquityCurve);
        Assert.Equal(fast.Signature, stored.Signature);
        Assert.Equal(stored.Signature, IndependentSignature(stored.Trades, stored.EquityCurve));
        var expected = IndependentMetrics(stored.Trades, stored.EquityCurve, PaperAccount.InitialEquity);
        foreach (var (name, value) in expected)
        {
            Assert.True(stored.Metrics.TryGetValue(name, out var actual), $"metric {name} not stored");
            if (value is null) Assert.Null(actual);
            else Assert.True(actual is { } a && Math.Abs(a - value.Value) <= 1e-9 * Math.Max(1, Math.Abs(value.Value)), $"{name}: stored {actual}, recomputed {value}");
        }
        Assert.Equal((int)expected["total_trades"]!, stored.TotalTrades);
        Assert.Equal(Math.Round((decimal)expected["win_rate"]!, 4), stored.WinRate);
        Assert.Equal(Math.Round((decimal)expected["max_drawdown"]!, 4), stored.MaxDrawdownPct);
        Assert.Equal(Math.Round((decimal)expected["total_pnl"]!, 2), stored.TotalPnl);
        Assert.Equal(Math.Round((decimal)expected["sharpe"]!, 4), stored.SharpeRatio);
        Assert.Equal(4, await service.Store.CountAsync(baseline.ModelId));
    }

    [Fact]
    public async Task The_event_stream_tells_the_run_in_order_and_a_cancelled_run_stores_nothing()
    {
        var settings = ShippedConfig.Settings();
        var cs = await SharedPostgres.NewDatabaseAsync("btstream");
        await using var db = NpgsqlDataSource.Create(cs);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Path.Combine(Fixtures, "macro_indicators_daily_2019_2020.csv.gz")]);
        var baseline = await ModelRegistration.RegisterBaselineAsync(new ModelRegistryStore(db), Path.Combine(Path.GetTempPath(), $"cop-models-{Guid.NewGuid():N}"), deploy: false);
        await using (var bars = new BarStore(cs))
            await new BarIngester(bars, new QuarantineStore(db), settings.Validation, "test").IngestFileAsync(Path.Combine(Fixtures, "usdcop_m5_2020h1.csv.gz"), DateTime.UtcNow, maxDays: 40);
        await using var app = await CopApplication.StartAsync(new CopEnvironment { Settings = settings, ConnectionString = cs, ActorFamilies = false, InMemoryJournal = true }, "stream");
        await using var service = new BacktestService(settings, cs, app.System);
        var request = new BacktestRequest(baseline.ModelId, BacktestPeriod.Custom, new DateOnly(2020, 1, 1), new DateOnly(2020, 6, 30)) { RebuildFeatures = true };

        var events = await service.Backtester.Events(request).RunWith(Sink.Seq<BacktestEvent>(), app.System.Materializer());
        var started = Assert.IsType<BacktestEvent.Started>(events[0]);
        var completed = Assert.IsType<BacktestEvent.Completed>(events[^1]);
        var result = completed.Result;
        Assert.Equal(started.BacktestId, result.BacktestId);
        Assert.Equal(result.Report.Bars, started.TotalBars);
        Assert.Equal(result.Report.Fills, events.OfType<BacktestEvent.TradeFilled>().Select(t => t.Fill));
        var progress = events.OfType<BacktestEvent.Progress>().ToList();
        Assert.True(progress.Count >= 100, $"{progress.Count} progress events");
        Assert.Equal(progress.Select(p => p.Bars).Order(), progress.Select(p => p.Bars));
        Assert.Equal(started.TotalBars, progress[^1].Bars);
        Assert.Equal(result.Report.FinalEquity, events.OfType<BacktestEvent.EquityUpdate>().Last().Point.Equity);
        foreach (var t in events.OfType<BacktestEvent.TradeFilled>())
            Assert.Equal(result.Report.EquityCurve.Single(p => p.BarTime == t.Fill.BarTime).Equity, t.EquityAfter);
        Assert.Equal(1, await service.Store.CountAsync(baseline.ModelId));

        // The consumer goes away after a few events (a browser closed): the run stops and stores nothing.
        var first = await service.Backtester.Events(request with { Mode = BacktestMode.Actor }).Take(3).RunWith(Sink.Seq<BacktestEvent>(), app.System.Materializer());
        Assert.IsType<BacktestEvent.Started>(first[0]);
        await Negative.For(TimeSpan.FromSeconds(3), "a run whose stream was cancelled storing its row");
        Assert.Equal(1, await service.Store.CountAsync(baseline.ModelId));

        // Cancelled by its token (the CLI's Ctrl+C) once it started: OperationCanceledException, nothing stored.
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.Backtester.RunAsync(request, e =>
        {
            if (e is BacktestEvent.Progress) cts.Cancel();
            return ValueTask.CompletedTask;
        }, cts.Token));
        Assert.Equal(1, await service.Store.CountAsync(baseline.ModelId));
    }

    private static async Task<List<LiveRow>> LiveRowsAsync(NpgsqlDataSource db, string modelId)
    {
        await using var cmd = db.CreateCommand("""
            SELECT i.bar_time, i.action, i.risk_verdict, i.observation_hash, i.confidence, t.price, t.equity_after
            FROM trading.model_inferences i LEFT JOIN trading.trades t ON t.id = i.trade_id
            WHERE i.model_id = @m ORDER BY i.bar_time
            """);
        cmd.Parameters.AddWithValue("m", modelId);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<LiveRow>();
        while (await r.ReadAsync())
            rows.Add(new LiveRow(r.GetDateTime(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDouble(4),
                r.IsDBNull(5) ? null : r.GetDouble(5), r.IsDBNull(6) ? null : r.GetDouble(6)));
        return rows;
    }

    /// <summary>The README's canonical text, written out here.</summary>
    private static string IndependentSignature(IReadOnlyList<PaperFill> trades, IReadOnlyList<EquityPoint> curve)
    {
        static string N(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        static string T(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var text = new StringBuilder("cop-backtest-v1\n");
        text.Append($"trades {trades.Count}\n");
        foreach (var f in trades) text.Append($"{T(f.BarTime)},{f.BarIndex},{f.From},{f.To},{N(f.MidPrice)},{N(f.Price)}\n");
        text.Append($"equity {curve.Count}\n");
        foreach (var p in curve) text.Append($"{T(p.BarTime)},{N(p.Equity)},{p.Position}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The README's metric definitions, computed here from the stored trades and curve.</summary>
    private static Dictionary<string, double?> IndependentMetrics(IReadOnlyList<PaperFill> trades, IReadOnlyList<EquityPoint> curve, double initial)
    {
        // Round trips: from each fill that leaves a position to the next fill.
        var pnls = new List<double>();
        for (var k = 1; k < trades.Count; k++)
            if (trades[k - 1].To != 0) pnls.Add(trades[k - 1].To * (trades[k].Price - trades[k - 1].Price));
        var wins = pnls.Where(p => p > 0).ToList();
        var losses = pnls.Where(p => p < 0).ToList();

        // Daily returns: last equity of each Bogota (UTC-5) date, against the previous date's (the first against the initial equity).
        var closes = curve.GroupBy(p => p.BarTime.AddHours(-5).Date).Select(g => g.Last().Equity).ToList();
        var returns = closes.Select((e, i) => e / (i == 0 ? initial : closes[i - 1]) - 1).ToList();
        var mean = returns.Average();
        var sd = Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / (returns.Count - 1));

        var worst = 0.0;
        var peak = initial;
        foreach (var p in curve)
        {
            if (p.Equity > peak) peak = p.Equity;
            worst = Math.Min(worst, (p.Equity - peak) / peak);
        }
        var final = curve[^1].Equity;
        return new Dictionary<string, double?>
        {
            ["total_trades"] = trades.Count,
            ["closed_trips"] = pnls.Count,
            ["win_rate"] = (double)wins.Count / pnls.Count,
            ["sharpe"] = mean / sd * Math.Sqrt(252),
            ["max_drawdown"] = worst,
            ["total_pnl"] = final - initial,
            ["total_return"] = (final - initial) / initial,
            ["profit_factor"] = losses.Count == 0 ? null : wins.Sum() / -losses.Sum(),
            ["exposure"] = curve.Count(p => p.Position != 0) / (double)curve.Count,
            ["average_holding_bars"] = pnls.Count == 0 ? 0 : Enumerable.Range(1, trades.Count - 1).Where(k => trades[k - 1].To != 0)
                .Average(k => (double)(trades[k].BarIndex - trades[k - 1].BarIndex)),
            ["final_equity"] = final,
        };
    }
}
