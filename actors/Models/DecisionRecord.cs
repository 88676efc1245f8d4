using Cop.Trading.Decisions;

namespace Cop.Actors.Models;

/// <summary>One decision row, and its fill when the decision traded.</summary>
public sealed record DecisionRecord(string ModelId, string Symbol, DateTime BarTime, string ObservationHash, TradeAction Action,
    double Confidence, RiskVerdict Verdict, double LatencyMs, PaperFill? Fill, double EquityAfter);
