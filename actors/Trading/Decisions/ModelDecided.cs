namespace Cop.Trading.Decisions;

/// <summary>A model decided one bar: what it did, why, and the fill when it traded. Journaled as
/// is (manifest model-decided.v1): its fields are the stored JSON, so they are only ever added.</summary>
public sealed record ModelDecided(string Symbol, DateTime BarTime, long BarIndex, TradeAction Action, double Confidence,
    RiskVerdict Verdict, string ObservationHash, double Close, PaperFill? Fill, double EquityAfter, double LatencyMs);
