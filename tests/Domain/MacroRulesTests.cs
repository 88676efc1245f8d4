using Akka.Configuration;
using Cop.Host.Configuration;
using Cop.Tests.Infrastructure;
using Cop.Trading.Macro;

namespace Cop.Tests.Domain;

public class MacroRulesTests
{
    private static readonly DateOnly Today = new(2025, 6, 30);
    private static MacroVariableSpec Spec(string column = "x_d", int maxGap = 7, double min = 0, double max = 100,
        double jump = 0.1, bool absolute = false, MacroFrequency f = MacroFrequency.Daily, int delay = 1) =>
        new(column, "fred", "X", f, delay, maxGap, min, max, jump, absolute);

    private static IReadOnlyCollection<DateOnly> Days(DateOnly last, int count, int step = 1) =>
        [.. Enumerable.Range(0, count).Select(i => last.AddDays(-i * step))];

    [Fact]
    public void Each_variable_decides_its_own_range_seed_gap_or_refresh()
    {
        var seedStart = new DateOnly(2015, 1, 1);
        // One run, a mix of states: empty, stale beyond its max gap, fresh daily, fresh monthly.
        var empty = ExtractionRange.Decide(Spec("a_d"), [], Today, seedStart);
        var stale = ExtractionRange.Decide(Spec("b_d", maxGap: 7), Days(Today.AddDays(-20), 30), Today, seedStart);
        var fresh = ExtractionRange.Decide(Spec("c_d"), Days(Today.AddDays(-1), 40), Today, seedStart);
        var monthly = ExtractionRange.Decide(Spec("d_m", maxGap: 70, f: MacroFrequency.Monthly), Days(Today.AddDays(-31), 5, 30), Today, seedStart);

        Assert.Equal((ExtractionKind.Seed, seedStart), (empty.Kind, empty.From));
        Assert.Equal((ExtractionKind.Gap, Today.AddDays(-20)), (stale.Kind, stale.From));
        Assert.Contains("20 days old", stale.Why);
        Assert.Equal((ExtractionKind.Refresh, Today.AddDays(-15)), (fresh.Kind, fresh.From));   // the last 15 observations
        Assert.Equal((ExtractionKind.Refresh, Today.AddDays(-31 - 4 * 30)), (monthly.Kind, monthly.From));   // only 5 exist
        Assert.All([empty, stale, fresh, monthly], p => Assert.Equal(Today, p.To));
    }

    [Fact]
    public void A_value_is_available_delay_days_after_its_date_never_before()
    {
        Assert.Equal(new DateOnly(2025, 7, 1), Spec(delay: 1).AvailableOn(new DateOnly(2025, 6, 30)));
        Assert.Equal(new DateOnly(2025, 7, 30), Spec(delay: 30, f: MacroFrequency.Monthly).AvailableOn(new DateOnly(2025, 6, 30)));
    }

    [Fact]
    public void Validation_rejects_out_of_range_non_finite_and_jumps_with_reasons()
    {
        var d = new DateOnly(2025, 6, 2);
        var (accepted, rejected) = MacroValidator.Validate(Spec(min: 1, max: 100, jump: 0.1),
            [new(d, 20), new(d.AddDays(1), 21), new(d.AddDays(2), 210_000), new(d.AddDays(3), double.NaN),
             new(d.AddDays(4), 25), new(d.AddDays(5), 21.5), new(d.AddDays(6), 0.5)], previous: null, Today);
        Assert.Equal([20.0, 21, 21.5], accepted.Select(a => a.Value));
        Assert.Equal(4, rejected.Count);
        Assert.Contains("outside the valid range", rejected[0].Reason);
        Assert.Contains("not a finite number", rejected[1].Reason);
        Assert.Contains("jump of 19.0 %", rejected[2].Reason);     // 25 vs 21: a rejected value is not the reference
        Assert.Contains("outside", rejected[3].Reason);
        Assert.Contains("x_d 2025-06-04 = 210000", rejected[0].Message);
    }

    [Fact]
    public void Absolute_jumps_for_series_that_cross_zero_and_the_previous_stored_value_counts()
    {
        var d = new DateOnly(2025, 6, 2);
        var spec = Spec(min: -60, max: 300, jump: 60, absolute: true);
        var (accepted, rejected) = MacroValidator.Validate(spec, [new(d, -37.6), new(d.AddDays(1), 10.0)], previous: new(d.AddDays(-1), 18.3), Today);
        Assert.Equal(2, accepted.Count);
        Assert.Empty(rejected);
        var (_, jumped) = MacroValidator.Validate(spec, [new(d, 100)], previous: new(d.AddDays(-1), 18.3), Today);
        Assert.Contains("exceeds 60", Assert.Single(jumped).Reason);
    }

    [Fact]
    public void The_shipped_catalogue_has_every_column_of_the_macro_tables()
    {
        var macro = ShippedConfig.Settings().Macro;
        Assert.Equal(37, macro.Catalogue.Count);
        Assert.Equal(17, macro.Catalogue.Count(v => v.Frequency == MacroFrequency.Daily));
        Assert.Equal(16, macro.Catalogue.Count(v => v.Frequency == MacroFrequency.Monthly));
        Assert.Equal(4, macro.Catalogue.Count(v => v.Frequency == MacroFrequency.Quarterly));
        Assert.Equal(1, macro["fxrt_index_dxy_usa_d_dxy"].DelayDays);
    }

    [Theory]
    [InlineData("frequency = weekly", "frequency 'weekly'")]
    [InlineData("min = 200", "min/max")]
    [InlineData("max-jump = 0", "max-jump")]
    [InlineData("delay-days = -1", "delay-days")]
    [InlineData("max-gap-days = abc", "max-gap-days")]
    [InlineData("series = \"\"", "series is missing")]
    [InlineData("kind = stock", "kind 'stock'")]
    [InlineData("kind = \"\"", "kind is missing")]
    [InlineData("jump-growth-days = 0", "jump-growth-days")]
    public void A_broken_entry_names_the_entry_and_the_field(string line, string expected)
    {
        var broken = ConfigurationFactory.ParseString($"cop.macro.variables.volt_vix_usa_d_vix {{ {line} }}").WithFallback(ShippedConfig.Hocon());
        var e = Assert.Throws<ConfigurationException>(() => CopSettings.ReadMacro(broken));
        Assert.Contains("volt_vix_usa_d_vix", e.Message);
        Assert.Contains(expected, e.Message);
    }
}

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
