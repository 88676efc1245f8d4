namespace Cop.Actors.Models;

/// <summary>trading.decision_skips: the only way a model moves past a bar it cannot decide.</summary>
public interface IDecisionSkips
{
    Task<DecisionSkip?> FindAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default);
}
