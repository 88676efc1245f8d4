namespace Cop.Trading.Promotion;

/// <summary>A vote's state as promotion_requests stores it: auto_vote_status uses Pending/Passed/Failed,
/// manual_vote_status Pending/Approved/Rejected.</summary>
public enum VoteStatus
{
    Pending,
    Passed,
    Failed,
    Approved,
    Rejected,
}
