namespace Cop.Actors.Models;

/// <summary>trading.model_inferences and trading.trades; writes are idempotent per (model, symbol, bar).</summary>
public interface IDecisionLog
{
    Task WriteAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken ct = default);
    Task<bool> ExistsAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default);
}
