using Cop.Trading.Macro;

namespace Cop.Trading.Tests;

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
}
