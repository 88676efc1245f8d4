namespace Cop.Persistence.Stores;

/// <summary>A model's decision row as stored, with the trade stored for the same bar (if any) and
/// whether the decision row links to it. Null decision fields: a trade without a decision row.</summary>
public sealed record StoredDecision(string Symbol, DateTime BarTime, string? ObservationHash, string? Action, double? Confidence,
    string? Verdict, double? LatencyMs, bool HasDecision, StoredTrade? Trade, bool TradeLinked);

/// <summary>A trade row: side, quantity, price, fee, position and equity after it.</summary>
public sealed record StoredTrade(string Side, double Quantity, double Price, double FeeBps, double PositionAfter, double EquityAfter);
