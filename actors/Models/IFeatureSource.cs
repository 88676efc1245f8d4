using Cop.Trading.Decisions;

namespace Cop.Actors.Models;

/// <summary>The stored raw features of one bar (observation order, position as stored) and its close.</summary>
public sealed record FeatureSnapshot(string Symbol, DateTime BarTime, double?[] Raw, double Close, DateOnly? MacroAsOf);

/// <summary>Where a DeployedModel reads features (the hybrid online/offline feature service).</summary>
public interface IFeatureSource
{
    Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default);
}

/// <summary>The order of a symbol's feature rows, which a model decides gaplessly, one after the other.</summary>
public interface IBarSequence
{
    /// <summary>The time of the symbol's first feature row after <paramref name="after"/>, or null when there is none yet.</summary>
    Task<DateTime?> NextAsync(string symbol, DateTime after, CancellationToken ct = default);
}

/// <summary>An operator's `cop dlq skip` of one (model, bar): who, when and why.</summary>
public sealed record DecisionSkip(string SkippedBy, DateTime SkippedAt, string Reason);

/// <summary>trading.decision_skips: the only way a model moves past a bar it cannot decide.</summary>
public interface IDecisionSkips
{
    Task<DecisionSkip?> FindAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default);
}

/// <summary>One decision row, and its fill when the decision traded.</summary>
public sealed record DecisionRecord(string ModelId, string Symbol, DateTime BarTime, string ObservationHash, TradeAction Action,
    double Confidence, RiskVerdict Verdict, double LatencyMs, PaperFill? Fill, double EquityAfter);

/// <summary>trading.model_inferences and trading.trades; writes are idempotent per (model, symbol, bar).</summary>
public interface IDecisionLog
{
    Task WriteAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken ct = default);
}
