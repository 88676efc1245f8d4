using System.Collections.Concurrent;
using Cop.Actors.Features;
using Cop.Actors.Models;
using Cop.Streams.Ingestion;
using Cop.Trading;
using Cop.Trading.Features;
using Cop.Trading.Validation;

namespace Cop.Host.Application;

/// <summary>
/// Watches the live path from outside, through decorators on three of its ports: when each bar
/// was stored, when its feature row was committed, when its first decision was logged. The demo
/// and the benchmarks report from it; the path itself has no hook for them.
/// </summary>
public sealed class PathObserver
{
    private readonly ConcurrentDictionary<(string, DateTime), DateTime> _stored = new();
    private readonly ConcurrentDictionary<(string, DateTime), DateTime> _built = new();
    private readonly ConcurrentDictionary<(string, DateTime), byte> _decided = new();
    private readonly ConcurrentDictionary<(string, DateTime), TaskCompletionSource> _rowWaits = new();
    private readonly ConcurrentDictionary<(string, DateTime), (int Models, TaskCompletionSource Done)> _decisionWaits = new();
    private readonly ConcurrentDictionary<(string, DateTime), ConcurrentDictionary<string, byte>> _decidedBy = new();
    private readonly ConcurrentDictionary<(string, DateTime), byte> _committed = new();

    /// <summary>Bars whose feature row is committed (a row rewritten counts once).</summary>
    public int FeatureRows => _committed.Count;
    /// <summary>Bars with at least one decision logged.</summary>
    public int DecidedBars => _decided.Count;
    /// <summary>Bar stored -> its feature row committed (ms).</summary>
    public ConcurrentBag<double> FeatureLatencies { get; } = new();
    /// <summary>Feature row committed -> its first decision logged (ms).</summary>
    public ConcurrentBag<double> DecisionLatencies { get; } = new();

    /// <summary>Completes when the bar's feature row is committed (call before the bar is stored).</summary>
    public Task FeatureRowCommitted(string symbol, DateTime bar) =>
        _rowWaits.GetOrAdd((symbol, bar), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Completes when <paramref name="models"/> models logged their decision of the bar (call before the bar is stored).</summary>
    public Task DecisionsLogged(string symbol, DateTime bar, int models) =>
        _decisionWaits.GetOrAdd((symbol, bar), _ => (models, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))).Done.Task;

    public IBarArchive Bars(IBarArchive inner) => new ObservedBars(inner, this);
    public IBarSeriesStore FeatureWriter(IBarSeriesStore inner) => new ObservedFeatures(inner, this);
    public IDecisionLog DecisionLog(IDecisionLog inner) => new ObservedDecisions(inner, this);

    private sealed class ObservedBars(IBarArchive inner, PathObserver o) : IBarArchive
    {
        public Task<Dictionary<string, SeriesTail>> LoadTailsAsync(CancellationToken ct = default) => inner.LoadTailsAsync(ct);
        public Task<Dictionary<(string, DateTime), Bar>> StoredBarsAsync(DateTime from, DateTime to, CancellationToken ct = default) =>
            inner.StoredBarsAsync(from, to, ct);

        public async Task<int> StoreAsync(ValidationResult batch, string quarantineSource, CancellationToken ct = default)
        {
            // Stamped before the insert: its commit sends the NOTIFY, and the row can be built
            // before this call returns.
            var now = DateTime.UtcNow;
            foreach (var a in batch.Accepted) o._stored.TryAdd((a.Raw.Symbol, a.Bar.Time), now);
            return await inner.StoreAsync(batch, quarantineSource, ct);
        }
    }

    private sealed class ObservedFeatures(IBarSeriesStore inner, PathObserver o) : IBarSeriesStore
    {
        public Task<IReadOnlyList<Bar>> LoadBarsAsync(string symbol, DateTime? after, DateTime upTo, int limit, CancellationToken ct = default) =>
            inner.LoadBarsAsync(symbol, after, upTo, limit, ct);
        public Task<IReadOnlyDictionary<string, IEnumerable<MacroObservation>>> LoadMacroAsync(CancellationToken ct = default, DateTime? changedSince = null) =>
            inner.LoadMacroAsync(ct, changedSince);

        public async Task<int> UpsertAsync(IReadOnlyList<FeatureRow> rows, CancellationToken ct = default)
        {
            var n = await inner.UpsertAsync(rows, ct);
            var now = DateTime.UtcNow;
            foreach (var r in rows)
            {
                o._committed.TryAdd((r.Symbol, r.Time), 0);
                o._built[(r.Symbol, r.Time)] = now;
                if (o._stored.TryRemove((r.Symbol, r.Time), out var at)) o.FeatureLatencies.Add((now - at).TotalMilliseconds);
                if (o._rowWaits.TryRemove((r.Symbol, r.Time), out var wait)) wait.TrySetResult();
            }
            return n;
        }
    }

    private sealed class ObservedDecisions(IDecisionLog inner, PathObserver o) : IDecisionLog
    {
        public async Task WriteAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken ct = default)
        {
            await inner.WriteAsync(decisions, ct);
            var now = DateTime.UtcNow;
            foreach (var d in decisions)
            {
                var key = (d.Symbol, d.BarTime);
                if (o._decided.TryAdd(key, 0) && o._built.TryRemove(key, out var at))
                    o.DecisionLatencies.Add((now - at).TotalMilliseconds);
                if (!o._decisionWaits.TryGetValue(key, out var wait)) continue;
                var by = o._decidedBy.GetOrAdd(key, _ => new());
                by.TryAdd(d.ModelId, 0);
                if (by.Count >= wait.Models && o._decisionWaits.TryRemove(key, out _))
                {
                    o._decidedBy.TryRemove(key, out _);
                    wait.Done.TrySetResult();
                }
            }
        }

        public Task<bool> ExistsAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default) =>
            inner.ExistsAsync(modelId, symbol, barTime, ct);
    }
}
