using Cop.Actors.Features;
using Cop.Actors.Models;
using Cop.Actors.Telemetry;
using Cop.Trading.Features;

namespace Cop.Persistence.Stores;

/// <summary>
/// The feature writer's store that also publishes each committed row: into this process's
/// <see cref="RecentFeatureRows"/> (before the write returns, so a model told of the row finds it)
/// and to Redis, so the online store is never stale. The Redis push starts after the PostgreSQL
/// commit, is not waited for and cannot fail the write: a Redis outage is counted
/// (usdcop_online_store_push_failures_total) and the scheduled materialisation fills the gap later.
/// </summary>
public sealed class FeaturePublisher(IBarSeriesStore inner, OnlineFeatureStore? online, RecentFeatureRows? recent = null) : IBarSeriesStore
{
    private readonly Dictionary<(string, DateTime), double> _closes = new();

    public async Task<IReadOnlyList<Cop.Trading.Bar>> LoadBarsAsync(string symbol, DateTime? after, DateTime upTo, int limit, CancellationToken ct = default)
    {
        var loaded = await inner.LoadBarsAsync(symbol, after, upTo, limit, ct);
        lock (_closes)
        {
            if (_closes.Count > 100_000) _closes.Clear();
            foreach (var b in loaded) _closes[(symbol, b.Time)] = b.Close;
        }
        return loaded;
    }

    public Task<IReadOnlyDictionary<string, IEnumerable<Cop.Trading.Features.MacroObservation>>> LoadMacroAsync(CancellationToken ct = default, DateTime? changedSince = null) =>
        inner.LoadMacroAsync(ct, changedSince);

    public async Task<int> UpsertAsync(IReadOnlyList<FeatureRow> rows, CancellationToken ct = default)
    {
        var changed = await inner.UpsertAsync(rows, ct);
        List<FeatureSnapshot> snapshots;
        lock (_closes)
            snapshots = [.. rows.Where(r => _closes.ContainsKey((r.Symbol, r.Time)))
                .Select(r => new FeatureSnapshot(r.Symbol, r.Time, r.Values(), _closes.Remove((r.Symbol, r.Time), out var c) ? c : 0, r.MacroAsOf))];
        recent?.Put(snapshots);
        // Not awaited: the feature writer (and the bar's journal entry after it) never waits for
        // Redis; a failed push is counted and the next materialisation repairs it.
        if (online is not null)
            _ = online.WriteAsync(snapshots).ContinueWith(t => CopMetrics.OnlinePushFailures.Inc(snapshots.Count),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return changed;
    }
}
