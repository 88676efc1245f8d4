using Cop.Trading;
using Cop.Trading.Features;

namespace Cop.Actors.Features;

/// <summary>
/// What a <see cref="BarSeries"/> needs from storage: the validated bars, the published macro
/// values, and the single-writer UPSERT of feature rows. Implemented on PostgreSQL in
/// Cop.Persistence; tests may pass a fake at this seam.
/// </summary>
public interface IBarSeriesStore
{
    /// <summary>Up to <paramref name="limit"/> stored bars of a series with after &lt; time &lt;= upTo, in time order.</summary>
    Task<IReadOnlyList<Bar>> LoadBarsAsync(string symbol, DateTime? after, DateTime upTo, int limit, CancellationToken ct = default);

    /// <summary>The published macro values of the feature series, with their availability; with
    /// <paramref name="changedSince"/>, only rows stored or revised after that instant.</summary>
    Task<IReadOnlyDictionary<string, IEnumerable<MacroObservation>>> LoadMacroAsync(CancellationToken ct = default, DateTime? changedSince = null);

    /// <summary>UPSERTs the rows; a row equal to the stored one is left untouched. Returns rows changed.</summary>
    Task<int> UpsertAsync(IReadOnlyList<FeatureRow> rows, CancellationToken ct = default);
}
