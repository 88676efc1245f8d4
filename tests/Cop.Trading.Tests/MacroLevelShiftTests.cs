using Cop.Trading.Macro;

namespace Cop.Trading.Tests;

public class MacroLevelShiftTests
{
    // A step series (issue 13: only step series keep the confirmation rule).
    private static readonly MacroVariableSpec Rate = new("polr_policy_rate_col_d_tpm", "banrep", "TPM", MacroFrequency.Daily, 1, 45, 0, 40, 2, true, MacroKind.Step);
    private static readonly DateOnly Today = new(2025, 6, 30);

    [Fact]
    public void A_confirmed_level_shift_is_accepted_and_a_lone_spike_is_not()
    {
        var d = new DateOnly(1998, 2, 13);
        // 27 -> 30 and it stays: a policy move. Then 45? out of range. Then a spike to 35 that returns.
        var (accepted, rejected) = MacroValidator.Validate(Rate,
            [new(d, 27), new(d.AddDays(1), 30), new(d.AddDays(2), 30), new(d.AddDays(3), 35), new(d.AddDays(4), 30.25)], previous: null, Today);
        Assert.Equal([27.0, 30, 30, 30.25], accepted.Select(a => a.Value));
        Assert.Contains("does not stay there", Assert.Single(rejected).Reason);
    }

    [Fact]
    public void The_newest_value_after_a_jump_waits_for_confirmation()
    {
        var d = new DateOnly(2025, 6, 2);
        var (accepted, rejected) = MacroValidator.Validate(Rate, [new(d, 9.25), new(d.AddDays(1), 12.5)], previous: null, Today);
        Assert.Equal([9.25], accepted.Select(a => a.Value));
        Assert.Contains("not yet confirmed", Assert.Single(rejected).Reason);
    }
}
