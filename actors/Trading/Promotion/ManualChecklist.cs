namespace Cop.Trading.Promotion;

/// <summary>The reviewer's checklist (plan-v7 L4 step 3): all three are needed to approve.</summary>
public sealed record ManualChecklist(bool EquityCurveReviewed, bool TradeDistributionReviewed, bool TeamNotified)
{
    public bool Complete => EquityCurveReviewed && TradeDistributionReviewed && TeamNotified;

    /// <summary>The first unticked item's name (the API's field name, camelCase), or null when complete.</summary>
    public string? FirstMissing =>
        !EquityCurveReviewed ? "equityCurveReviewed"
        : !TradeDistributionReviewed ? "tradeDistributionReviewed"
        : !TeamNotified ? "teamNotified"
        : null;
}
