using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Features;
using Cop.Actors.Models;
using Cop.Trading;
using Cop.Trading.Backtests;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Streams.Backtests;

/// <summary>
/// Runs backtests: a registered model over the stored bars of a period, decided by the live rules
/// (<see cref="BacktestLoop"/>, or a <see cref="DeployedModel"/> actor in <see cref="BacktestMode.Actor"/>),
/// measured by <see cref="PerformanceReport"/>, signed by <see cref="BacktestSignature"/> and stored
/// as one backtest_results row. <see cref="Events"/> is the run as an Akka.Streams source (the web
/// UI's server-sent events); <see cref="RunAsync"/> the same run with a callback (the CLI).
///
/// Bad input fails before anything runs, with an <see cref="ArgumentException"/> naming it (unknown
/// model, dates reversed or missing, a period without bars) or a <see cref="ModelRejectedException"/>
/// (the model file missing or not matching its SHA-256). A cancelled run (the token, or the stream's
/// consumer going away) stops between two groups of bars and stores nothing: the row is written only
/// after the last bar, so backtest_results never holds a partial run.
/// </summary>
/// <param name="bars">For <see cref="BacktestRequest.RebuildFeatures"/>: the stored bars and macro values, as a BarSeries reads them.</param>
/// <param name="system">For <see cref="BacktestMode.Actor"/>: the actor system (started by AddCop) the DeployedModel runs in.</param>
public sealed class Backtester(IBacktestData data, IBacktestResults results, ModelSettings trading, BacktestSettings settings,
    IBarSeriesStore? bars = null, ActorSystem? system = null)
{
    /// <summary>The run as a stream of events; each materialisation is one run. Cancelling downstream cancels the run (nothing stored).</summary>
    public Source<BacktestEvent, NotUsed> Events(BacktestRequest request, CancellationToken ct = default) =>
        Source.Queue<BacktestEvent>(16, OverflowStrategy.Backpressure).MapMaterializedValue(queue =>
        {
            var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // The consumer cancelled (or the stream ended otherwise): stop the run.
            queue.WatchCompletionAsync().ContinueWith(_ =>
            {
                try { cts.Cancel(); }
                catch (ObjectDisposedException) { }   // the run had ended and let go of it
            }, TaskScheduler.Default);
            _ = Task.Run(async () =>
            {
                try
                {
                    await RunAsync(request, async e =>
                    {
                        var offered = await queue.OfferAsync(e);
                        if (offered is not QueueOfferResult.Enqueued) throw new OperationCanceledException("the backtest's stream was cancelled");
                    }, cts.Token);
                    queue.Complete();
                }
                catch (OperationCanceledException) { queue.Complete(); }
                catch (Exception e) { queue.Fail(e); }
                finally { cts.Dispose(); }
            }, CancellationToken.None);
            return NotUsed.Instance;
        });

    /// <summary>Runs one backtest to its stored result, telling <paramref name="onEvent"/> as it goes.</summary>
    public async Task<BacktestResult> RunAsync(BacktestRequest request, Func<BacktestEvent, ValueTask>? onEvent = null, CancellationToken ct = default)
    {
        var emit = onEvent ?? (_ => ValueTask.CompletedTask);
        var model = await data.FindModelAsync(request.ModelId, ct) ?? throw new ArgumentException($"unknown model '{request.ModelId}'");
        var (from, to) = Period(request, model);
        var norm = NormStats.FromJson(model.NormStatsJson);
        // The file and its SHA-256 first: a model that fails its check runs nothing.
        using var policy = PolicySession.Load(model.FilePath, model.FileSha256);
        var (total, rows) = await FeatureRowsAsync(request, from, to, ct);
        if (total == 0)
            throw new ArgumentException($"no bars of {trading.Symbol} between {from:yyyy-MM-dd} and {to:yyyy-MM-dd} (Bogota dates, inclusive)");

        var id = Guid.NewGuid();
        var runAt = DateTime.UtcNow;
        await emit(new BacktestEvent.Started(id, model.ModelId, model.Version, request.Period, from, to, total, request.Mode));
        var tracker = new PerformanceTracker(capacity: total);
        var decisions = new List<DecisionRecord>(request.KeepDecisions ? total : 0);
        var clock = Stopwatch.StartNew();
        var rules = new DecisionRules(trading.Risk, trading.Costs, trading.MaxMacroAge);
        var chunk = Math.Max(1, total / Math.Max(1, settings.StreamPoints));
        if (request.Mode == BacktestMode.FastLoop)
        {
            var loop = new BacktestLoop(policy, norm, rules, trading.Symbol);
            using var cursor = rows.GetEnumerator();
            for (var start = 0; start < total; start += chunk)
            {
                ct.ThrowIfCancellationRequested();
                var end = Math.Min(total, start + chunk);
                var firstFill = tracker.Fills.Count;
                for (var i = start; i < end && cursor.MoveNext(); i++)
                {
                    var decided = loop.Step(cursor.Current);
                    tracker.Add(decided.BarTime, decided.Fill, decided.EquityAfter);
                    if (request.KeepDecisions) decisions.Add(BacktestLoop.Record(model.ModelId, decided));
                }
                await Tell(emit, tracker, firstFill, end, total);
            }
        }
        else
        {
            await ActorReplay.RunAsync(system ?? throw new InvalidOperationException("an actor-mode backtest needs the actor system (AddCop)"),
                model, norm, trading, settings, rows as IReadOnlyList<FeatureSnapshot> ?? [.. rows], chunk, async (records, end) =>
                {
                    var firstFill = tracker.Fills.Count;
                    foreach (var r in records)
                    {
                        tracker.Add(r.BarTime, r.Fill, r.EquityAfter);
                        if (request.KeepDecisions) decisions.Add(r with { ModelId = model.ModelId });
                    }
                    await Tell(emit, tracker, firstFill, end, total);
                }, ct);
        }
        if (tracker.EquityCurve.Count != total)
            throw new InvalidOperationException($"{tracker.EquityCurve.Count} of {total} bars decided");
        var report = tracker.Report();
        clock.Stop();
        var result = new BacktestResult(id, model.ModelId, model.Version, trading.Symbol, request.Period, from, to, request.Mode,
            request.RebuildFeatures, rules, report, BacktestSignature.Of(report.Fills, report.EquityCurve), decisions,
            request.RunSource, request.CreatedBy, runAt, clock.Elapsed);
        ct.ThrowIfCancellationRequested();
        if (request.Store) await results.SaveAsync(result, CancellationToken.None);   // whole or not at all
        await emit(new BacktestEvent.Completed(result));
        return result;
    }

    private static async ValueTask Tell(Func<BacktestEvent, ValueTask> emit, PerformanceTracker tracker, int firstFill, int done, int total)
    {
        for (var f = firstFill; f < tracker.Fills.Count; f++)
        {
            var fill = tracker.Fills[f];
            // The equity after the fill's bar: the curve's point of that bar (fills are in bar order, the curve has every bar).
            var equity = EquityAt(tracker.EquityCurve, fill.BarTime);
            await emit(new BacktestEvent.TradeFilled(fill, equity));
        }
        var last = tracker.EquityCurve[^1];
        await emit(new BacktestEvent.EquityUpdate(last));
        await emit(new BacktestEvent.Progress(done, total, last.BarTime, last.Equity));
    }

    private static double EquityAt(IReadOnlyList<EquityPoint> curve, DateTime barTime)
    {
        for (var i = curve.Count - 1; i >= 0; i--)
            if (curve[i].BarTime == barTime) return curve[i].Equity;
        throw new InvalidOperationException($"no equity point at {barTime:O}");
    }

    /// <summary>The request's dates: given (custom) or the model's experiment split; checked.</summary>
    public static (DateOnly From, DateOnly To) Period(BacktestRequest request, BacktestModel model)
    {
        DateOnly from, to;
        switch (request.Period)
        {
            case BacktestPeriod.Custom:
                if (request.From is not { } f || request.To is not { } t)
                    throw new ArgumentException("a custom period needs --from and --to (yyyy-MM-dd)");
                (from, to) = (f, t);
                break;
            default:
                if (request.From is not null || request.To is not null)
                    throw new ArgumentException($"--period {request.Period.ToString().ToLowerInvariant()} takes its dates from the model's experiment; give --from/--to only with --period custom");
                var split = request.Period == BacktestPeriod.Validation ? model.Validation : model.Test;
                (from, to) = split ?? throw new ArgumentException(
                    $"model '{model.ModelId}' has no {request.Period.ToString().ToLowerInvariant()} period recorded (experiment_runs); use --period custom --from D --to E");
                break;
        }
        if (from > to) throw new ArgumentException($"--from {from:yyyy-MM-dd} is after --to {to:yyyy-MM-dd}");
        return (from, to);
    }

    /// <summary>The period's feature rows and how many: the stored ones, or rebuilt from the bars (for
    /// the fast loop one at a time as it decides them, for the actor all first: it reads them by time).</summary>
    private async Task<(int Count, IEnumerable<FeatureSnapshot> Rows)> FeatureRowsAsync(BacktestRequest request, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var (start, until) = (TradingSession.BogotaMidnightUtc(from), TradingSession.BogotaMidnightUtc(to.AddDays(1)));
        if (!request.RebuildFeatures)
        {
            var stored = await data.FeatureRowsAsync(trading.Symbol, start, until, ct);
            return (stored.Count, stored);
        }
        if (bars is null) throw new InvalidOperationException("rebuilding features needs the bar store");
        var series = await bars.LoadBarsAsync(trading.Symbol, null, until.AddTicks(-1), int.MaxValue, ct);
        var macro = new MacroFeatures(await bars.LoadMacroAsync(ct));
        if (request.Mode != BacktestMode.FastLoop)
        {
            var rebuilt = Rebuild(trading.Symbol, series, macro, start, until);
            return (rebuilt.Count, rebuilt);
        }
        var count = 0;
        foreach (var bar in series) if (bar.Time >= start && bar.Time < until) count++;
        return (count, RebuildOneByOne(trading.Symbol, series, macro, start, until));
    }

    /// <summary>As <see cref="Rebuild"/>, one row at a time into ONE reused feature buffer: each row is
    /// valid until the next is asked for (the fast loop decides it before that and keeps nothing of it).</summary>
    private static IEnumerable<FeatureSnapshot> RebuildOneByOne(string symbol, IReadOnlyList<Bar> series, MacroFeatures macro, DateTime start, DateTime until)
    {
        var builder = new FeatureBuilder(symbol, macro);
        var raw = new double?[FeatureNames.Count];
        foreach (var bar in series)
        {
            if (bar.Time >= until) yield break;
            var row = builder.Next(bar);
            if (bar.Time < start) continue;
            row.CopyTo(raw);
            yield return new FeatureSnapshot(symbol, bar.Time, raw, bar.Close, row.MacroAsOf);
        }
    }

    /// <summary>The feature rows of [start, until) rebuilt from every stored bar before them (the indicators' warm-up)
    /// with the same FeatureBuilder a BarSeries uses, with each bar's close and macro as-of date.</summary>
    public static IReadOnlyList<FeatureSnapshot> Rebuild(string symbol, IReadOnlyList<Bar> series, MacroFeatures macro, DateTime start, DateTime until)
    {
        var builder = new FeatureBuilder(symbol, macro);
        var rows = new List<FeatureSnapshot>();
        foreach (var bar in series)
        {
            if (bar.Time >= until) break;
            var row = builder.Next(bar);
            if (bar.Time >= start) rows.Add(new FeatureSnapshot(symbol, bar.Time, row.Values(), bar.Close, row.MacroAsOf));
        }
        return rows;
    }
}
