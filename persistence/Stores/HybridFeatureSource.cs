using System.Diagnostics;
using Cop.Actors.Features;
using Cop.Actors.Models;
using Cop.Actors.Telemetry;
using Cop.Trading;
using Cop.Trading.Features;

namespace Cop.Persistence.Stores;

/// <summary>
/// The feature service the models read from (the spec's V7 hybrid strategy, behind an in-process
/// tier of the rows this process just committed): in market hours PostgreSQL first, outside them
/// Redis first; on a miss or an error the next source, down to
/// recomputing the bar from stored bars with the same FeatureBuilder. Every read is counted per
/// source and result. A Redis failure is a counted fallback, never an error for the caller.
/// </summary>
public sealed class HybridFeatureSource(OnlineFeatureStore? online, IFeatureSource offline, IFeatureStore bars,
    Func<DateTime>? clock = null, RecentFeatureRows? recent = null) : IFeatureSource
{
    private readonly Func<DateTime> _now = clock ?? (() => DateTime.UtcNow);

    public async Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default)
    {
        Func<Task<FeatureSnapshot?>> postgres = () => offline.ReadAsync(symbol, barTime, ct);
        Func<Task<FeatureSnapshot?>> redis = () => online is null ? Task.FromResult<FeatureSnapshot?>(null) : online.ReadAsync(symbol, barTime);
        Func<Task<FeatureSnapshot?>> recompute = () => RecomputeAsync(symbol, barTime, ct);
        // A row this process has just committed is served from memory (no miss is counted there:
        // the tier holds only the newest rows); then the spec's order by market hours.
        if (recent is not null && await recent.ReadAsync(symbol, barTime, ct) is { } fresh)
        {
            CopMetrics.FeastRequests.WithLabels("memory", "hit").Inc();
            return fresh;
        }
        var chain = TradingSession.IsOpen(_now())
            ? new[] { ("postgres", postgres), ("redis", redis), ("recompute", recompute) }
            : [("redis", redis), ("postgres", postgres), ("recompute", recompute)];
        foreach (var (source, read) in chain)
        {
            if (source == "redis" && online is null) continue;
            var clock = Stopwatch.StartNew();
            try
            {
                var snapshot = await read();
                CopMetrics.FeastLatency.WithLabels(source).Observe(clock.Elapsed.TotalSeconds);
                CopMetrics.FeastRequests.WithLabels(source, snapshot is null ? "miss" : "hit").Inc();
                if (snapshot is not null) return snapshot;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                CopMetrics.FeastRequests.WithLabels(source, "error").Inc();
            }
        }
        return null;
    }

    /// <summary>The last resort: every stored bar of the series up to the bar, through the builder.</summary>
    private async Task<FeatureSnapshot?> RecomputeAsync(string symbol, DateTime barTime, CancellationToken ct)
    {
        var series = await bars.LoadBarsAsync(symbol, null, barTime, int.MaxValue, ct);
        if (series.Count == 0 || series[^1].Time != barTime) return null;
        var builder = new FeatureBuilder(symbol, new MacroFeatures(await bars.LoadMacroAsync(ct)));
        FeatureRow row = default;
        foreach (var bar in series) row = builder.Next(bar);
        return new FeatureSnapshot(symbol, barTime, row.Values(), series[^1].Close, row.MacroAsOf);
    }
}

/// <summary>
/// The feature writer's store that also publishes each committed row: into this process's
/// <see cref="RecentFeatureRows"/> (before the write returns, so a model told of the row finds it)
/// and to Redis, so the online store is never stale. The Redis push starts after the PostgreSQL
/// commit, is not waited for and cannot fail the write: a Redis outage is counted
/// (usdcop_online_store_push_failures_total) and the scheduled materialisation fills the gap later.
/// </summary>
public sealed class PublishingFeatureStore(IFeatureStore inner, OnlineFeatureStore? online, RecentFeatureRows? recent = null) : IFeatureStore
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
