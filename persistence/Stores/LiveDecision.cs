namespace Cop.Persistence.Stores;

/// <summary>One live decision row (trading.model_inferences) with its trade's price and equity when it traded.</summary>
public sealed record LiveDecision(DateTime BarTime, string Action, string Verdict, string ObservationHash, double Confidence,
    double? FillPrice, double? EquityAfterFill);
