namespace Cop.Persistence.Promotion;

/// <summary>What a promotion request reads from a backtest_results row.</summary>
public sealed record BacktestForPromotion(Guid BacktestId, string ModelId, string? ModelVersion, string? PeriodType, DateOnly Start, DateOnly End,
    int? TotalTrades, double? WinRate, double? Sharpe, double? MaxDrawdown, DateTime RunAt);

/// <summary>A registry row as the promotion flow needs it: version, status, when it last entered staging.</summary>
public sealed record ModelForPromotion(string ModelId, string Version, string Status, DateTime? StagingSince, string? Experiment);

/// <summary>One promotion_requests row. The checklist columns keep the spec's names: backtest_reviewed
/// is "equity curve reviewed", metrics_acceptable is "trade distribution reviewed".</summary>
public sealed record PromotionRequestRow(Guid RequestId, string ModelId, string ModelVersion, Guid? BacktestId, string? BacktestPeriod,
    string TargetStage, string AutoVoteStatus, string? AutoVoteDetails, DateTime? AutoVoteAt,
    string ManualVoteStatus, string? ManualVoteBy, DateTime? ManualVoteAt, string? ManualVoteComment,
    bool EquityCurveReviewed, bool TradeDistributionReviewed, bool TeamNotified,
    string FinalDecision, string? RequestedBy, bool RetirePrevious, DateTime CreatedAt, DateTime? PromotedAt);

/// <summary>A new request with its automatic vote, computed before it is stored (spec step 2: at once).</summary>
public sealed record NewPromotionRequest(string ModelId, string ModelVersion, Guid BacktestId, string? BacktestPeriod, string TargetStage,
    string AutoVoteStatus, string AutoVoteDetailsJson, string RequestedBy, bool RetirePrevious);

/// <summary>The manual vote to write, and the deploy it causes (null: none).</summary>
public sealed record ManualVoteWrite(string Voter, string ManualStatus, string? Comment, bool EquityCurveReviewed, bool TradeDistributionReviewed,
    bool TeamNotified, string FinalDecision, DeployWrite? Deploy);

/// <summary>A deploy (spec step 4): the registry status to set and whether the experiment's previous production model retires.</summary>
public sealed record DeployWrite(string RegistryStatus, bool RetirePrevious);

/// <summary>What a deploy changed.</summary>
public sealed record DeployResult(string FromStatus, string ToStatus, int FeatureRowsMarked, IReadOnlyList<string> Retired);

/// <summary>One audit line: a request, a vote, a kill-switch change (ml.promotion_events) or a stage change (ml.model_promotion_audit).</summary>
public sealed record AuditEntry(DateTime At, string Actor, string Action, string? ModelId, Guid? RequestId, string Detail);

/// <summary>A signed-in user: email, role (viewer, reviewer, admin) and the password hash.</summary>
public sealed record CopUser(string Email, string Role, string PasswordHash, DateTime CreatedAt);
