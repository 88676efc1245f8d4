namespace Cop.Persistence.Stores;

/// <summary>
/// The stored outcome of a replay through the path (`cop demo`): the feature rows, how many carry
/// all the features, the bars one source quarantined, and one model's decisions, risk verdicts
/// (most frequent first), paper trades and equity after its latest trade (null before any trade).
/// </summary>
public sealed record PathSummary(
    long FeatureRows, long CompleteFeatureRows, long Quarantined,
    long Decisions, IReadOnlyList<(string Verdict, long Count)> RiskVerdicts, long Trades, double? LastEquity);
