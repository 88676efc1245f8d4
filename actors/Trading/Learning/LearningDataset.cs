using Cop.Trading.Decisions;

namespace Cop.Trading.Learning;

/// <summary>
/// A built dataset: per split, the learnable rows in time order (each converts 1:1 to what a deployed
/// model observes: <see cref="DatasetRow.Features"/>), the rows left out for a NULL feature, and the
/// normalisation statistics of the train split. Trainers and backtests take it from
/// <see cref="Assemble"/> (at build time) or from the dataset file (Cop.Persistence.Learning.DatasetFile).
/// </summary>
public sealed record LearningDataset(
    string Experiment,
    string Symbol,
    SplitPlan Plan,
    IReadOnlyList<DatasetRow> Train,
    IReadOnlyList<DatasetRow> Validation,
    IReadOnlyList<DatasetRow> Test,
    IReadOnlyDictionary<DatasetSplit, int> LeftOut,
    NormStats NormStats)
{
    /// <summary>SHA-256 (lower-case hex) of the dataset file it was written to or read from.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The version it is recorded under in experiment_runs (known once stored or loaded by version).</summary>
    public string? Version { get; init; }

    public IReadOnlyList<DatasetRow> this[DatasetSplit split] => split switch
    {
        DatasetSplit.Train => Train,
        DatasetSplit.Validation => Validation,
        _ => Test,
    };

    /// <summary>First and last bar time of a split's rows.</summary>
    public (DateTime First, DateTime Last) Span(DatasetSplit split) => (this[split][0].Time, this[split][^1].Time);

    /// <summary>
    /// Sorts <paramref name="rows"/> (time order, one symbol) into the plan's splits: rows with a NULL
    /// feature (other than position) are left out and counted, rows in the warm-up, an embargo or
    /// after test are dropped. Refuses (ArgumentException naming the split) a split without a
    /// learnable row; the norm_stats come from the train rows alone. The result is checked with
    /// <see cref="AssertNoLeak"/>.
    /// </summary>
    public static LearningDataset Assemble(string experiment, string symbol, SplitPlan plan, IEnumerable<DatasetRow> rows)
    {
        var parts = SplitNames.All.ToDictionary(s => s, _ => new List<DatasetRow>());
        var leftOut = SplitNames.All.ToDictionary(s => s, _ => 0);
        DateTime? previous = null;
        foreach (var row in rows)
        {
            if (row.Features.Symbol != symbol)
                throw new ArgumentException($"dataset {experiment} is for {symbol}, a row at {row.Time:O} is for {row.Features.Symbol}");
            if (previous is { } p && row.Time <= p)
                throw new ArgumentException($"dataset rows must be in time order: {row.Time:O} follows {p:O}");
            previous = row.Time;
            if (plan.SplitOf(row.Time) is not { } split) continue;
            if (row.IsLearnable) parts[split].Add(row);
            else leftOut[split]++;
        }
        foreach (var split in SplitNames.All)
            if (parts[split].Count == 0)
                throw new ArgumentException($"split {plan[split]} has no complete feature rows for {symbol} ({leftOut[split]} with a NULL feature left out): is the feature store filled for those days?");
        var dataset = new LearningDataset(experiment, symbol, plan, parts[DatasetSplit.Train], parts[DatasetSplit.Validation],
            parts[DatasetSplit.Test], leftOut, NormStatistics.FromRows(parts[DatasetSplit.Train]));
        dataset.AssertNoLeak();
        return dataset;
    }

    /// <summary>
    /// The anti-leakage rule on the rows themselves, not only on the plan: every row lies in its
    /// split's days, each split's last bar is before the next split's first, and at least
    /// <see cref="SplitPlan.EmbargoDays"/> trading days lie strictly between them.
    /// </summary>
    public void AssertNoLeak()
    {
        foreach (var split in SplitNames.All)
        {
            var range = Plan[split];
            if (this[split].Count == 0) throw new InvalidOperationException($"split {range} is empty");
            foreach (var row in this[split])
                if (!range.Contains(row.Time))
                    throw new InvalidOperationException($"a row at {row.Time:O} is outside split {range}");
        }
        for (var k = 0; k + 1 < SplitNames.All.Count; k++)
        {
            var (a, b) = (SplitNames.All[k], SplitNames.All[k + 1]);
            var gap = RowEmbargo(a);
            if (Span(a).Last >= Span(b).First || gap < Plan.EmbargoDays)
                throw new InvalidOperationException(
                    $"splits {Plan[a]} and {Plan[b]} leak: {SplitNames.Of(a)} ends {Span(a).Last:O}, {SplitNames.Of(b)} starts {Span(b).First:O}, {gap} trading day(s) between them (embargo {Plan.EmbargoDays})");
        }
    }

    /// <summary>Trading days strictly between the last bar of <paramref name="earlier"/> and the first bar of the next split.</summary>
    public int RowEmbargo(DatasetSplit earlier)
    {
        var next = SplitNames.All[SplitNames.All.ToList().IndexOf(earlier) + 1];
        var last = TradingSession.BogotaDate(Span(earlier).Last);
        var first = TradingSession.BogotaDate(Span(next).First);
        return first <= last ? 0 : SplitPlan.TradingDays(last.AddDays(1), first.AddDays(-1));
    }
}
