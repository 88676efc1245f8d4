using Cop.Trading.Features;
using System.Diagnostics;
using Cop.Actors.Telemetry;
using Cop.Trading;

namespace Cop.Actors.Models;

/// <summary>
/// Where a DeployedModel reads a bar's features (the spec's V7 hybrid strategy, behind an
/// in-process tier of the rows this process just committed): in market hours PostgreSQL first,
/// outside them Redis first; on a miss or an error the next tier, down to recomputing the bar
/// from stored bars. Each tier is one <see cref="IFeatureSource"/>; every read is counted per
/// tier and result. A tier's failure is a counted fallback, never an error for the caller.
/// </summary>
/// <param name="online">Redis; null when there is none.</param>
/// <param name="offline">PostgreSQL's feature table.</param>
/// <param name="recompute">The last resort (<see cref="RecomputedFeatures"/>).</param>
/// <param name="memory">The rows this process just committed, read first (no miss is counted
/// there: it holds only the newest rows).</param>
public sealed class FeatureReadPolicy(IFeatureSource? online, IFeatureSource offline, IFeatureSource recompute,
    Func<DateTime>? clock = null, IFeatureSource? memory = null) : IFeatureSource
{
    private readonly Func<DateTime> _now = clock ?? (() => DateTime.UtcNow);

    // Every tier's series exported at 0 from the start: an alert on increase(...{source="recompute"})
    // and the dashboard's latency by source then have a series before the first fallback.
    static FeatureReadPolicy()
    {
        foreach (var tier in new[] { "memory", "postgres", "redis", "recompute" })
        {
            foreach (var result in new[] { "hit", "miss", "error" }) CopMetrics.FeastRequests.WithLabels(tier, result);
            CopMetrics.FeastLatency.WithLabels(tier);
        }
    }
    private readonly (string Tier, IFeatureSource Source)[] _inHours = Tiers(("postgres", offline), ("redis", online), ("recompute", recompute));
    private readonly (string Tier, IFeatureSource Source)[] _offHours = Tiers(("redis", online), ("postgres", offline), ("recompute", recompute));

    public async Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default)
    {
        if (memory is not null && await memory.ReadAsync(symbol, barTime, ct) is { } fresh)
        {
            CopMetrics.FeastRequests.WithLabels("memory", "hit").Inc();
            return fresh;
        }
        foreach (var (tier, source) in TradingSession.IsOpen(_now()) ? _inHours : _offHours)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var snapshot = await source.ReadAsync(symbol, barTime, ct);
                CopMetrics.FeastLatency.WithLabels(tier).Observe(clock.Elapsed.TotalSeconds);
                CopMetrics.FeastRequests.WithLabels(tier, snapshot is null ? "miss" : "hit").Inc();
                if (snapshot is not null) return snapshot;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                CopMetrics.FeastRequests.WithLabels(tier, "error").Inc();
            }
        }
        return null;
    }

    private static (string, IFeatureSource)[] Tiers(params (string Tier, IFeatureSource? Source)[] tiers) =>
        [.. tiers.Where(t => t.Source is not null).Select(t => (t.Tier, t.Source!))];
}
