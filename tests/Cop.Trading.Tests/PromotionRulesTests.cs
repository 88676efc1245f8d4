using Cop.Trading.Promotion;

namespace Cop.Trading.Tests;

public class PromotionRulesTests
{
    private static readonly DateTime Now = new(2026, 3, 10, 15, 0, 0, DateTimeKind.Utc);

    private static VoteMetrics AtStaging => new(0.5, 0.45, -0.15, 50);
    private static VoteMetrics AtProduction => new(1.0, 0.50, -0.10, 100);

    [Fact]
    public void Staging_values_exactly_at_each_threshold_pass()
    {
        var vote = AutomaticVote.Compute(AtStaging, PromotionThresholds.Staging, null, Now);
        Assert.True(vote.Passed);
        Assert.Equal([AutomaticVote.Sharpe, AutomaticVote.WinRate, AutomaticVote.MaxDrawdown, AutomaticVote.MinTrades], vote.Checks.Select(c => c.Name));
        Assert.All(vote.Checks, c => Assert.True(c.Passed));
        Assert.Equal(-0.15, vote.Checks.Single(c => c.Name == AutomaticVote.MaxDrawdown).Threshold);
    }

    [Theory]
    [InlineData(AutomaticVote.Sharpe)]
    [InlineData(AutomaticVote.WinRate)]
    [InlineData(AutomaticVote.MaxDrawdown)]
    [InlineData(AutomaticVote.MinTrades)]
    public void Staging_fails_when_one_value_is_just_below_its_threshold(string check)
    {
        var m = check switch
        {
            AutomaticVote.Sharpe => AtStaging with { Sharpe = 0.4999 },
            AutomaticVote.WinRate => AtStaging with { WinRate = 0.4499 },
            AutomaticVote.MaxDrawdown => AtStaging with { MaxDrawdown = -0.1501 },
            _ => AtStaging with { TotalTrades = 49 },
        };
        var vote = AutomaticVote.Compute(m, PromotionThresholds.Staging, null, Now);
        Assert.False(vote.Passed);
        Assert.Equal([check], vote.Checks.Where(c => !c.Passed).Select(c => c.Name));
    }

    [Fact]
    public void Production_needs_seven_days_in_staging_exactly_seven_pass()
    {
        var exactly = AutomaticVote.Compute(AtProduction, PromotionThresholds.Production, Now.AddDays(-7), Now);
        Assert.True(exactly.Passed);
        var days = exactly.Checks.Single(c => c.Name == AutomaticVote.StagingDays);
        Assert.Equal(7, days.Value, 9);
        Assert.Equal(7, days.Threshold);

        var short1 = AutomaticVote.Compute(AtProduction, PromotionThresholds.Production, Now.AddDays(-7).AddMinutes(1), Now);
        Assert.False(short1.Passed);
        Assert.Equal([AutomaticVote.StagingDays], short1.Checks.Where(c => !c.Passed).Select(c => c.Name));

        var notInStaging = AutomaticVote.Compute(AtProduction, PromotionThresholds.Production, null, Now);
        Assert.False(notInStaging.Passed);
        Assert.Equal(0, notInStaging.Checks.Single(c => c.Name == AutomaticVote.StagingDays).Value);
    }

    [Fact]
    public void Production_thresholds_are_the_specs_and_staging_metrics_do_not_pass_them()
    {
        Assert.Equal(new PromotionThresholds(1.0, 0.50, -0.10, 100, 7), PromotionThresholds.Production);
        var vote = AutomaticVote.Compute(AtStaging, PromotionThresholds.Production, Now.AddDays(-30), Now);
        Assert.False(vote.Passed);
        Assert.Equal([AutomaticVote.Sharpe, AutomaticVote.WinRate, AutomaticVote.MaxDrawdown, AutomaticVote.MinTrades],
            vote.Checks.Where(c => !c.Passed).Select(c => c.Name));
    }

    [Fact]
    public void A_backtest_without_a_sharpe_fails_that_check()
    {
        var vote = AutomaticVote.Compute(AtStaging with { Sharpe = double.NaN }, PromotionThresholds.Staging, null, Now);
        Assert.False(vote.Passed);
        Assert.False(vote.Checks.Single(c => c.Name == AutomaticVote.Sharpe).Passed);
    }

    [Theory]
    [InlineData(VoteStatus.Passed, VoteStatus.Approved, FinalDecision.Promoted)]
    [InlineData(VoteStatus.Passed, VoteStatus.Rejected, FinalDecision.Rejected)]
    [InlineData(VoteStatus.Failed, VoteStatus.Rejected, FinalDecision.Rejected)]
    [InlineData(VoteStatus.Failed, VoteStatus.Approved, FinalDecision.OverridePromoted)]
    [InlineData(VoteStatus.Passed, VoteStatus.Pending, FinalDecision.Pending)]
    [InlineData(VoteStatus.Failed, VoteStatus.Pending, FinalDecision.Pending)]
    [InlineData(VoteStatus.Pending, VoteStatus.Approved, FinalDecision.Pending)]
    [InlineData(VoteStatus.Pending, VoteStatus.Rejected, FinalDecision.Rejected)]
    public void Final_decision_follows_the_specs_case(VoteStatus auto, VoteStatus manual, FinalDecision expected)
    {
        Assert.Equal(expected, PromotionRules.Decide(auto, manual));
        Assert.Equal(expected is FinalDecision.Promoted or FinalDecision.OverridePromoted, PromotionRules.Deploys(expected));
    }

    [Fact]
    public void Approving_needs_the_whole_checklist_and_another_person()
    {
        var all = new ManualChecklist(true, true, true);
        Assert.Null(PromotionRules.RefuseVote("ana@cop", "bo@cop", approve: true, all, VoteStatus.Pending));
        var own = PromotionRules.RefuseVote("ana@cop", "ANA@cop", approve: false, all, VoteStatus.Pending);
        Assert.True(own!.Forbidden);
        Assert.Equal("voter", own.Field);
        Assert.Equal("equityCurveReviewed", PromotionRules.RefuseVote("a", "b", true, all with { EquityCurveReviewed = false }, VoteStatus.Pending)!.Field);
        Assert.Equal("tradeDistributionReviewed", PromotionRules.RefuseVote("a", "b", true, all with { TradeDistributionReviewed = false }, VoteStatus.Pending)!.Field);
        Assert.Equal("teamNotified", PromotionRules.RefuseVote("a", "b", true, all with { TeamNotified = false }, VoteStatus.Pending)!.Field);
        // Rejecting needs no checklist; a request is voted on once.
        Assert.Null(PromotionRules.RefuseVote("a", "b", false, new ManualChecklist(false, false, false), VoteStatus.Pending));
        Assert.Equal("requestId", PromotionRules.RefuseVote("a", "b", true, all, VoteStatus.Approved)!.Field);
    }

    [Fact]
    public void Staging_requests_stage_and_production_requests_deploy()
    {
        Assert.Equal("staging", PromotionRules.RegistryStatus(PromotionStage.Staging));
        Assert.Equal("deployed", PromotionRules.RegistryStatus(PromotionStage.Production));
        Assert.Equal(FinalDecision.OverridePromoted, PromotionRules.ParseDecision(FinalDecision.OverridePromoted.Name()));
    }
}
