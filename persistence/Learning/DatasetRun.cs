using Cop.Trading.Learning;

namespace Cop.Persistence.Learning;

/// <summary>One row of experiment_runs: a built dataset, where it is (object-store location), its
/// SHA-256, the experiment's configuration (JSON), per split the first and last bar and the rows
/// (learnable, and left out for a NULL feature), and the train split's norm_stats JSON.</summary>
public sealed record DatasetRun(
    string Experiment,
    string Version,
    string Path,
    string Sha256,
    string ConfigJson,
    IReadOnlyList<SplitSummary> Splits,
    string NormStatsJson)
{
    public DateTime? CreatedAt { get; init; }

    public SplitSummary this[DatasetSplit split] => Splits.Single(s => s.Split == split);
}
