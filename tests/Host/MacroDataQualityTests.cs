using Cop.Streams.Macro;
using Cop.Tests.Infrastructure;
using Cop.Trading.Features;
using Cop.Trading.Macro;

namespace Cop.Tests.Host;

/// <summary>Issue 13: validation by kind, with the shipped catalogue's entries. A wrong feed that
/// looks stable must not pass as a level shift.</summary>
public class MacroDataQualityTests
{
    private static readonly MacroSettings Catalogue = ShippedConfig.Settings().Macro;
    private static readonly MacroVariableSpec Dxy = Catalogue[MacroColumns.Dxy];
    private static readonly MacroVariableSpec Brent = Catalogue[MacroColumns.Brent];
    private static readonly MacroVariableSpec Prime = Catalogue["polr_prime_rate_usa_d_prime"];
    private static readonly DateOnly Start = new(2024, 1, 1);

    /// <summary>Business days from <paramref name="from"/>, a small deterministic wiggle around a level.</summary>
    private static List<MacroValue> Days(DateOnly from, int count, Func<int, double> level)
    {
        var values = new List<MacroValue>();
        for (var d = from; values.Count < count; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                values.Add(new MacroValue(d, level(values.Count) * (1 + 0.002 * Math.Sin(values.Count))));
        return values;
    }

    /// <summary>Runs the validator one day at a time as the live extractor does: each run fetches
    /// the newest 15 observations (the refresh window) and is judged against the last value
    /// stored before them. A value once accepted is stored; the rest were never accepted.</summary>
    private static (List<MacroValue> Accepted, List<MacroValue> Rejected) DayByDay(MacroVariableSpec spec, IReadOnlyList<MacroValue> values)
    {
        var stored = new SortedDictionary<DateOnly, MacroValue>();
        for (var i = 0; i < values.Count; i++)
        {
            var window = values.Skip(Math.Max(0, i - 14)).Take(Math.Min(i + 1, 15)).ToList();
            MacroValue? previous = stored.Values.LastOrDefault(v => v.Date < window[0].Date) is { Date.Year: > 1 } p ? p : null;
            foreach (var a in MacroValidator.Validate(spec, window, previous, today: values[i].Date).Accepted) stored[a.Date] = a;
        }
        return ([.. stored.Values], [.. values.Where(v => !stored.ContainsKey(v.Date))]);
    }

    [Fact]
    public void Catalogue_entries_say_their_kind()
    {
        Assert.Equal(MacroKind.Market, Dxy.Kind);
        Assert.Equal(MacroKind.Step, Catalogue["polr_policy_rate_col_d_tpm"].Kind);
        Assert.Equal(MacroKind.Survey, Catalogue["crsk_sentiment_cci_col_m_cci"].Kind);
        Assert.Equal(MacroKind.Statistic, Catalogue["gdpp_real_gdp_usa_q_gdp"].Kind);
    }

    [Fact]
    public void A_market_feed_that_switches_to_a_level_20_percent_away_is_rejected_on_every_one_of_60_days()
    {
        var truth = Days(Start, 120, _ => 104);
        var wrong = Days(truth[^1].Date.AddDays(1), 60, _ => 104 * 1.2);
        var (accepted, rejected) = MacroValidator.Validate(Dxy, [.. truth, .. wrong], null, wrong[^1].Date);
        Assert.Equal(truth, accepted);
        Assert.Equal(wrong.Select(w => w.Date), rejected.Select(r => r.Date));
        // Every one judged against the last accepted (true) value, never against a rejected one.
        Assert.All(rejected, r => Assert.Equal((MacroRejection.Jump, "macro_jump", truth[^1]), (r.Rule, r.Code, r.Reference!.Value)));
        // The same, run by run with the refresh window: a wrong feed "confirms" itself in every window.
        var (live, never) = DayByDay(Dxy, [.. truth, .. wrong]);
        Assert.Equal(truth, live);
        Assert.Equal(wrong, never);
    }

    [Fact]
    public void A_drop_to_a_third_for_60_days_is_rejected_and_the_true_level_that_returns_is_accepted_without_an_operator()
    {
        var truth = Days(Start, 120, _ => 82);
        var broken = Days(truth[^1].Date.AddDays(1), 60, _ => 82 / 3.0);
        // Meanwhile the true price drifted 12 %; the reference is ~3 months old when it returns.
        var back = Days(broken[^1].Date.AddDays(1), 20, _ => 82 * 1.12);
        var (accepted, rejected) = DayByDay(Brent, [.. truth, .. broken, .. back]);
        Assert.Equal(broken, rejected);
        Assert.Equal([.. truth, .. back], accepted);
        Assert.All(MacroValidator.Validate(Brent, [.. truth, .. broken], null, broken[^1].Date).Rejected, r => Assert.Equal(MacroRejection.Jump, r.Rule));
    }

    [Fact]
    public void The_allowed_move_grows_with_the_time_since_the_last_accepted_value()
    {
        Assert.Equal(Dxy.MaxJump, MacroValidator.AllowedJump(Dxy, 1));
        Assert.True(MacroValidator.AllowedJump(Dxy, 3) < Dxy.MaxJump * 1.01);            // a weekend barely counts
        Assert.Equal(Dxy.MaxJump * 2, MacroValidator.AllowedJump(Dxy, 1 + 3 * 120), 6);   // sqrt(1 + 3)
        // A DXY level 6 % away after a four-month outage passes; the same on the next day does not.
        var last = new MacroValue(Start, 100);
        Assert.Empty(MacroValidator.Validate(Dxy, [new(Start.AddDays(125), 106)], last, Start.AddDays(125)).Rejected);
        Assert.Single(MacroValidator.Validate(Dxy, [new(Start.AddDays(1), 106)], last, Start.AddDays(1)).Rejected);
    }

    [Fact]
    public void A_step_series_that_moves_1_5_points_and_stays_is_accepted_on_confirmation_a_market_series_is_not()
    {
        var before = Days(Start, 20, _ => 8.5);
        var after = Days(before[^1].Date.AddDays(1), 10, _ => 10.0);
        var (accepted, rejected) = MacroValidator.Validate(Prime, [.. before, .. after], null, after[^1].Date);
        Assert.Empty(rejected);
        Assert.Equal(30, accepted.Count);

        // Live: the first new value waits (nothing confirms it yet), the next run confirms it.
        var (_, waiting) = MacroValidator.Validate(Prime, [after[0]], before[^1], after[0].Date);
        Assert.Contains("not yet confirmed", Assert.Single(waiting).Reason);
        var (confirmed, _) = MacroValidator.Validate(Prime, [after[0], after[1]], before[^1], after[1].Date);
        Assert.Equal(2, confirmed.Count);

        var marketLike = Prime with { Kind = MacroKind.Market };
        Assert.Equal(10, MacroValidator.Validate(marketLike, [.. before, .. after], null, after[^1].Date).Rejected.Count);
    }

    [Fact]
    public void An_isolated_spike_is_rejected_in_both_kinds()
    {
        var dxy = Days(Start, 30, i => i == 15 ? 104 * 1.08 : 104);
        var (dAccepted, dRejected) = MacroValidator.Validate(Dxy, dxy, null, dxy[^1].Date);
        Assert.Equal(dxy[15].Date, Assert.Single(dRejected).Date);
        Assert.Equal(29, dAccepted.Count);

        var prime = Days(Start, 30, i => i == 15 ? 11.5 : 8.5);
        var (pAccepted, pRejected) = MacroValidator.Validate(Prime, prime, null, prime[^1].Date);
        Assert.Contains("does not stay there", Assert.Single(pRejected).Reason);
        Assert.Equal(29, pAccepted.Count);
    }

    [Fact]
    public void A_value_dated_after_today_is_rejected_with_its_own_reason()
    {
        var today = new DateOnly(2025, 6, 30);
        var (accepted, rejected) = MacroValidator.Validate(Brent, [new(today, 67.6), new(new DateOnly(2099, 1, 1), 97.8)], null, today);
        Assert.Equal([today], accepted.Select(a => a.Date));
        var r = Assert.Single(rejected);
        Assert.Equal(MacroRejection.FutureDate, r.Rule);
        Assert.Contains("2099-01-01", r.Message);
    }

    [Fact]
    public void An_operator_accepted_level_becomes_the_reference_and_a_range_marked_bad_stays_rejected()
    {
        var truth = Days(Start, 20, _ => 104);
        var rebased = Days(truth[^1].Date.AddDays(1), 20, _ => 125);   // a real index change
        var decisions = new MacroOperatorDecisions([rebased[0].Date], []);
        var (accepted, rejected) = MacroValidator.Validate(Dxy, [.. truth, .. rebased], null, rebased[^1].Date, decisions);
        Assert.Empty(rejected);
        Assert.Equal(40, accepted.Count);

        var bad = new MacroOperatorDecisions([], [(truth[5].Date, truth[7].Date)]);
        var (_, marked) = MacroValidator.Validate(Dxy, truth, null, truth[^1].Date, bad);
        Assert.Equal(3, marked.Count);
        Assert.All(marked, r => Assert.Equal(MacroRejection.OperatorRejected, r.Rule));
    }
}
