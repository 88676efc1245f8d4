using Cop.Actors.Features;
using Cop.Trading;
using Cop.Trading.Features;

namespace Cop.Streams.Features;

/// <summary>
/// Rewrites feature rows after their macro inputs changed (`cop macro reject`): every stored bar
/// of a series goes through a fresh <see cref="FeatureBuilder"/> on the macro values stored now,
/// exactly as a BarSeries rebuilds, and the rows from <c>from</c> up to the series' newest
/// feature row are UPSERTed by the feature writer (identical rows change nothing; rows the
/// writer has not built yet are left to it). A running BarSeries drops the withdrawn values at
/// its next macro refresh (cop.features.macro-refresh), so it does not bring them back.
/// </summary>
public static class FeatureRebuild
{
    public static async Task<int> RebuildAsync(IBarSeriesStore store, IReadOnlyList<(string Symbol, DateTime Last)> series, DateTime from,
        int batch = 2_000, CancellationToken ct = default)
    {
        var changed = 0;
        var macro = await store.LoadMacroAsync(ct);
        foreach (var (symbol, last) in series)
        {
            if (last < from) continue;
            var builder = new FeatureBuilder(symbol, new MacroFeatures(macro));
            DateTime? after = null;
            while (true)
            {
                var bars = await store.LoadBarsAsync(symbol, after, last, batch, ct);
                if (bars.Count == 0) break;
                var rows = new List<FeatureRow>(bars.Count);
                foreach (var bar in bars)
                {
                    var row = builder.Next(bar);
                    if (bar.Time >= from) rows.Add(row);
                }
                changed += await store.UpsertAsync(rows, ct);
                after = bars[^1].Time;
            }
        }
        return changed;
    }
}
