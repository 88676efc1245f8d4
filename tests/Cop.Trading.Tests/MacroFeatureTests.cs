using Cop.Trading;
using Cop.Trading.Features;

namespace Cop.Trading.Tests;

public class MacroFeatureTests
{
    private static DateTime Bogota(int y, int m, int d, int h, int min = 0) =>
        new DateTime(y, m, d, h, min, 0, DateTimeKind.Utc) - TradingSession.BogotaOffset;

    private static MacroHistory Daily(params (DateOnly Date, double Value)[] values) =>
        new("x", values.Select(v => MacroObservation.Published(v.Date, 1, v.Value)));

    [Fact]
    public void A_value_dated_D_is_invisible_to_bars_of_day_D_and_visible_from_midnight_of_D_plus_1()
    {
        var d = new DateOnly(2024, 7, 2);
        var h = Daily((d.AddDays(-1), 1.0), (d, 2.0));
        h.AdvanceTo(Bogota(2024, 7, 2, 12, 55));
        Assert.Equal(1.0, h.Last);          // the 12:55 bar of D still sees only D - 1
        h.AdvanceTo(Bogota(2024, 7, 2, 23, 59));
        Assert.Equal(1.0, h.Last);
        h.AdvanceTo(Bogota(2024, 7, 3, 0, 0));
        Assert.Equal(2.0, h.Last);          // 00:00 Bogota of D + 1
        Assert.Equal(new DateTime(2024, 7, 3, 5, 0, 0, DateTimeKind.Utc), MacroObservation.Published(d, 1, 0).AvailableAt);
    }

    [Fact]
    public void Z_score_is_null_below_20_values_and_uses_sample_std()
    {
        var start = new DateOnly(2024, 1, 1);
        var values = Enumerable.Range(0, 20).Select(i => (start.AddDays(i), (double)(i + 1))).ToArray();
        var h = Daily(values);
        h.AdvanceTo(TradingSession.BogotaMidnightUtc(start.AddDays(19)));   // 19 values available
        Assert.Equal(19, h.AvailableCount);
        Assert.Null(h.ZScore());
        h.AdvanceTo(TradingSession.BogotaMidnightUtc(start.AddDays(20)));
        // 1..20: mean 10.5, sample std sqrt(35) = 5.9161; (20 - 10.5)/5.9161 = 1.6058.
        Assert.Equal((20 - 10.5) / Math.Sqrt(35), h.ZScore()!.Value, 12);
    }

    [Fact]
    public void Z_score_window_is_the_last_60_values_and_clips_at_3()
    {
        var start = new DateOnly(2023, 1, 1);
        // 100 values of 1.0 then a spike: the window holds 59 ones and the spike -> z = +sqrt(59)... clipped.
        var values = Enumerable.Range(0, 100).Select(i => (start.AddDays(i), 1.0)).Append((start.AddDays(100), 50.0)).ToArray();
        var h = Daily(values);
        h.AdvanceTo(TradingSession.BogotaMidnightUtc(start.AddDays(100)));
        Assert.Equal(0, h.ZScore());        // std = 0 -> 0
        h.AdvanceTo(TradingSession.BogotaMidnightUtc(start.AddDays(101)));
        Assert.Equal(3, h.ZScore());

        // Window check: 30 values of 0 then 60 values alternating 1, 3: the zeros must not count.
        var w = Enumerable.Range(0, 30).Select(i => (start.AddDays(i), 0.0))
            .Concat(Enumerable.Range(30, 60).Select(i => (start.AddDays(i), i % 2 == 0 ? 1.0 : 3.0))).ToArray();
        var hw = Daily(w);
        hw.AdvanceTo(TradingSession.BogotaMidnightUtc(start.AddDays(90)));
        var last60 = w.Skip(30).Select(x => x.Item2).ToArray();
        var mean = last60.Average();
        var std = Math.Sqrt(last60.Sum(x => (x - mean) * (x - mean)) / 59);
        Assert.Equal((last60[^1] - mean) / std, hw.ZScore()!.Value, 12);
    }

    [Fact]
    public void Change_one_day_and_rate_spread()
    {
        var d = new DateOnly(2024, 7, 1);
        var macro = new MacroFeatures(new Dictionary<string, IEnumerable<MacroObservation>>
        {
            [MacroColumns.Brent] = [MacroObservation.Published(d.AddDays(-1), 1, 80), MacroObservation.Published(d, 1, 84)],
            [MacroColumns.Ust10y] = [MacroObservation.Published(d, 1, 4.25)],
            [MacroColumns.Ust2y] = [MacroObservation.Published(d, 1, 4.75)],
        });
        var builder = new FeatureBuilder("USD/COP", macro);
        var before = builder.Next(new Bar(Bogota(2024, 7, 1, 8), 1, 1, 1, 1));
        Assert.Null(before.BrentChange1d);  // only 80 available on day d
        Assert.Null(before.RateSpread);
        Assert.Null(before.DxyZ);           // a series with no values at all
        var after = builder.Next(new Bar(Bogota(2024, 7, 2, 8), 1, 1, 1, 1));
        Assert.Equal(84.0 / 80 - 1, after.BrentChange1d!.Value, 15);
        Assert.Equal(-0.5, after.RateSpread!.Value, 12);
        Assert.Null(after.UsdmxnChange1d);
    }

    [Fact]
    public void A_live_upsert_counts_from_the_next_bar_and_revisions_replace()
    {
        var d = new DateOnly(2024, 7, 1);
        var h = Daily((d.AddDays(-2), 1.0));
        h.AdvanceTo(Bogota(2024, 7, 2, 9));
        Assert.Equal(1.0, h.Last);
        h.Upsert(MacroObservation.Published(d, 1, 5.0));
        Assert.Equal(5.0, h.Last);
        h.Upsert(MacroObservation.Published(d, 1, 6.0));  // revision of the same date
        Assert.Equal(6.0, h.Last);
        Assert.Equal(2, h.AvailableCount);
    }
}
