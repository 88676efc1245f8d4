namespace Cop.Trading.Promotion;

/// <summary>The dual vote's rules (plan-v7 L4 steps 2-4), the one copy the web API, the CLI and
/// the store's deploy use.</summary>
public static class PromotionRules
{
    /// <summary>The spec's CASE: passed + approved = promoted; rejected = rejected; failed + approved =
    /// override_promoted (a reviewer overrode the metrics); anything else pending.</summary>
    public static FinalDecision Decide(VoteStatus auto, VoteStatus manual) => (auto, manual) switch
    {
        (VoteStatus.Passed, VoteStatus.Approved) => FinalDecision.Promoted,
        (_, VoteStatus.Rejected) => FinalDecision.Rejected,
        (VoteStatus.Failed, VoteStatus.Approved) => FinalDecision.OverridePromoted,
        _ => FinalDecision.Pending,
    };

    /// <summary>Promoted and override-promoted requests deploy.</summary>
    public static bool Deploys(FinalDecision d) => d is FinalDecision.Promoted or FinalDecision.OverridePromoted;

    /// <summary>The registry status a deployed request gives its model.</summary>
    public static string RegistryStatus(PromotionStage stage) => stage == PromotionStage.Production ? "deployed" : "staging";

    /// <summary>Why a manual vote may not be cast, naming the field (null: it may). Four eyes: the
    /// requester never votes on their own request; approving needs the whole checklist.</summary>
    public static VoteRefusal? RefuseVote(string requestedBy, string voter, bool approve, ManualChecklist checklist, VoteStatus currentManual)
    {
        if (currentManual != VoteStatus.Pending) return new("requestId", $"the request was already {currentManual.Name()}");
        if (string.Equals(requestedBy, voter, StringComparison.OrdinalIgnoreCase))
            return new("voter", "the requester cannot vote on their own request (four eyes)", Forbidden: true);
        if (approve && checklist.FirstMissing is { } missing) return new(missing, "all three checklist items are needed to approve");
        return null;
    }

    public static string Name(this FinalDecision d) => d switch
    {
        FinalDecision.Promoted => "promoted",
        FinalDecision.Rejected => "rejected",
        FinalDecision.OverridePromoted => "override_promoted",
        _ => "pending",
    };

    public static string Name(this VoteStatus s) => s.ToString().ToLowerInvariant();

    public static string Name(this PromotionStage s) => s == PromotionStage.Production ? "production" : "staging";

    public static VoteStatus ParseVote(string s) => Enum.Parse<VoteStatus>(s, ignoreCase: true);

    public static FinalDecision ParseDecision(string s) => s switch
    {
        "promoted" => FinalDecision.Promoted,
        "rejected" => FinalDecision.Rejected,
        "override_promoted" => FinalDecision.OverridePromoted,
        _ => FinalDecision.Pending,
    };

    public static PromotionStage? ParseStage(string? s) => s switch
    {
        "staging" => PromotionStage.Staging,
        "production" => PromotionStage.Production,
        _ => null,
    };
}
