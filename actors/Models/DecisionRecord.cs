using Cop.Trading.Decisions;

namespace Cop.Actors.Models;

/// <summary>One decision row, and its fill when the decision traded.</summary>
public sealed record DecisionRecord(string ModelId, string Symbol, DateTime BarTime, string ObservationHash, TradeAction Action,
    double Confidence, RiskVerdict Verdict, double LatencyMs, PaperFill? Fill, double EquityAfter)
{
    /// <summary>The rows of a journaled decision: what the live model writes, and what a replay rewrites.</summary>
    public static DecisionRecord Of(string modelId, ModelDecided e) =>
        new(modelId, e.Symbol, e.BarTime, e.ObservationHash, e.Action, e.Confidence, e.Verdict, e.LatencyMs, e.Fill, e.EquityAfter);
}
