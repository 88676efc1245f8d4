using Cop.Actors.Features;
using Cop.Trading.Features;

namespace Cop.Actors.Models;

/// <summary>The feature read's last resort: every stored bar of the series up to the bar, through
/// the same FeatureBuilder as a BarSeries.</summary>
public sealed class RecomputedFeatures(IBarSeriesStore bars) : IFeatureSource
{
    public async Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default)
    {
        var series = await bars.LoadBarsAsync(symbol, null, barTime, int.MaxValue, ct);
        if (series.Count == 0 || series[^1].Time != barTime) return null;
        var builder = new FeatureBuilder(symbol, new MacroFeatures(await bars.LoadMacroAsync(ct)));
        FeatureRow row = default;
        foreach (var bar in series) row = builder.Next(bar);
        return new FeatureSnapshot(symbol, barTime, row.Values(), series[^1].Close, row.MacroAsOf);
    }
}
