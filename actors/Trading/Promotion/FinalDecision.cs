namespace Cop.Trading.Promotion;

/// <summary>promotion_requests.final_decision.</summary>
public enum FinalDecision
{
    Pending,
    Promoted,
    Rejected,
    OverridePromoted,
}
