using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Trading.Learning;

/// <summary>
/// features.md's normalisation statistics: per feature, the mean and the SAMPLE standard deviation
/// (n - 1) over the given rows' present values, in observation order. Called with the train split
/// only. Position is not learned: the stored value is a placeholder (0) that a model replaces with
/// its own position, so its statistic is fixed at mean 0, std 1 and the position (-1, 0, 1) enters
/// the observation as it is.
/// </summary>
public static class NormStatistics
{
    public static NormStats FromRows(IReadOnlyList<DatasetRow> rows)
    {
        var stats = new FeatureStat[FeatureNames.Count];
        for (var k = 0; k < stats.Length; k++)
        {
            if (k == FeatureNames.Position) { stats[k] = new FeatureStat(0, 1); continue; }
            // Two passes: the mean, then the squared deviations from it (no cancellation).
            double sum = 0; var n = 0;
            foreach (var row in rows)
                if (row.Features.Raw[k] is { } x) { sum += x; n++; }
            if (n < 2)
                throw new ArgumentException($"norm_stats need at least 2 values of '{FeatureNames.Ordered[k]}' in the train split, it has {n}");
            var mean = sum / n;
            double squares = 0;
            foreach (var row in rows)
                if (row.Features.Raw[k] is { } x) squares += (x - mean) * (x - mean);
            stats[k] = new FeatureStat(mean, Math.Sqrt(squares / (n - 1)));
        }
        return new NormStats(stats);
    }
}
