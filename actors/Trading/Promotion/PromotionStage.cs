namespace Cop.Trading.Promotion;

/// <summary>Where a promotion request wants a model: staging (registry status 'staging') or
/// production (registry status 'deployed': the running service trades it).</summary>
public enum PromotionStage
{
    Staging,
    Production,
}
