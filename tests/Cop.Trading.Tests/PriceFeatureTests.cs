using Cop.Trading;
using Cop.Trading.Features;

namespace Cop.Trading.Tests;

public class PriceFeatureTests
{
    private static readonly DateTime T0 = new(2024, 7, 2, 13, 0, 0, DateTimeKind.Utc);

    private static List<FeatureRow> Build(IEnumerable<Bar> bars)
    {
        var builder = new FeatureBuilder("USD/COP", MacroFeatures.Empty);
        return [.. bars.Select(b => builder.Next(b))];
    }

    private static IEnumerable<Bar> FromCloses(params double[] closes)
    {
        var t = T0;
        foreach (var c in closes) { yield return new Bar(t, c, c, c, c); t = ReferenceIndicators.NextSessionBar(t); }
    }

    [Fact]
    public void Log_returns_by_hand()
    {
        var rows = Build(FromCloses([.. Enumerable.Range(0, 49).Select(i => 100.0 + i)]));
        Assert.Null(rows[0].LogRet5m);
        Assert.Equal(Math.Log(101.0 / 100.0), rows[1].LogRet5m!.Value, 15);
        Assert.Null(rows[11].LogRet1h);
        Assert.Equal(Math.Log(112.0 / 100.0), rows[12].LogRet1h!.Value, 15);
        Assert.Null(rows[47].LogRet4h);
        Assert.Equal(Math.Log(148.0 / 100.0), rows[48].LogRet4h!.Value, 15);
    }

    [Fact]
    public void Rsi_9_by_hand()
    {
        // Six rises of 1 and three falls of 1: AG = 6/9, AL = 3/9 at i = 9, RSI = 66.67.
        var rows = Build(FromCloses(10, 11, 12, 13, 12, 13, 14, 13, 14, 13, 15));
        Assert.All(rows.Take(9), r => Assert.Null(r.Rsi9));
        Assert.Equal(100 * 6.0 / 9, rows[9].Rsi9!.Value, 12);
        // i = 10 rises 2: AG = (8*6/9 + 2)/9, AL = (8*3/9)/9 (Wilder, not a 9-bar mean).
        double ag = (8 * 6.0 / 9 + 2) / 9, al = 8 * 3.0 / 9 / 9;
        Assert.Equal(100 * ag / (ag + al), rows[10].Rsi9!.Value, 12);
    }

    [Fact]
    public void Rsi_is_50_on_a_flat_series() =>
        Assert.Equal(50, Build(FromCloses([.. Enumerable.Repeat(4000.0, 12)]))[11].Rsi9);

    [Fact]
    public void Atr_pct_by_hand()
    {
        // Each bar: range 2 around a close rising by 1, so TR = max(2, |H - Cprev|, |L - Cprev|) = 2.
        var t = T0;
        var bars = new List<Bar>();
        for (var i = 0; i < 12; i++) { bars.Add(new Bar(t, 100 + i, 101 + i, 99 + i, 100 + i)); t = ReferenceIndicators.NextSessionBar(t); }
        var rows = Build(bars);
        Assert.Null(rows[9].AtrPct);
        Assert.Equal(2.0 / 110, rows[10].AtrPct!.Value, 15);
        // A wider bar: TR_11 = 6 -> ATR = (9*2 + 6)/10 = 2.4.
        bars[11] = new Bar(bars[11].Time, 111, 114, 108, 111);
        Assert.Equal(2.4 / 111, Build(bars)[11].AtrPct!.Value, 15);
    }

    [Fact]
    public void Adx_warms_up_at_27_and_reads_100_on_a_pure_uptrend()
    {
        var t = T0;
        var bars = new List<Bar>();
        for (var i = 0; i < 30; i++) { bars.Add(new Bar(t, 100 + i, 100.5 + i, 99.5 + i, 100 + i)); t = ReferenceIndicators.NextSessionBar(t); }
        var rows = Build(bars);
        Assert.All(rows.Take(27), r => Assert.Null(r.Adx14));
        // Every bar: +DM = 1, -DM = 0, so -DI = 0 and DX = 100 throughout.
        Assert.Equal(100, rows[27].Adx14!.Value, 12);
        Assert.Equal(100, rows[29].Adx14!.Value, 12);
    }

    [Fact]
    public void Adx_is_0_when_nothing_moves()
    {
        var rows = Build(FromCloses([.. Enumerable.Repeat(4000.0, 30)]));
        Assert.Equal(0, rows[27].Adx14);
    }

    [Fact]
    public void Incremental_features_match_the_reference_definitions_on_2000_bars()
    {
        var bars = ReferenceIndicators.RandomBars(2000);
        var closes = bars.Select(b => b.Close).ToArray();
        var rows = Build(bars);
        AssertSeries(ReferenceIndicators.LogReturn(closes, 1), rows.Select(r => r.LogRet5m));
        AssertSeries(ReferenceIndicators.LogReturn(closes, 12), rows.Select(r => r.LogRet1h));
        AssertSeries(ReferenceIndicators.LogReturn(closes, 48), rows.Select(r => r.LogRet4h));
        AssertSeries(ReferenceIndicators.Rsi(closes), rows.Select(r => r.Rsi9));
        AssertSeries(ReferenceIndicators.AtrPct(bars), rows.Select(r => r.AtrPct));
        AssertSeries(ReferenceIndicators.Adx(bars), rows.Select(r => r.Adx14));
    }

    [Fact]
    public void A_restored_snapshot_continues_bit_for_bit()
    {
        var bars = ReferenceIndicators.RandomBars(300);
        var whole = Build(bars);
        var first = new FeatureBuilder("USD/COP", MacroFeatures.Empty);
        foreach (var b in bars.Take(150)) first.Next(b);
        var resumed = new FeatureBuilder("USD/COP", MacroFeatures.Empty, PriceIndicators.Restore(first.Price.Save()));
        var rest = bars.Skip(150).Select(b => resumed.Next(b)).ToList();
        Assert.Equal(whole.Skip(150), rest);
    }

    [Fact]
    public void A_bar_not_after_the_last_is_refused()
    {
        var builder = new FeatureBuilder("USD/COP", MacroFeatures.Empty);
        builder.Next(new Bar(T0, 1, 1, 1, 1));
        var e = Assert.Throws<ArgumentException>(() => builder.Next(new Bar(T0, 1, 1, 1, 1)));
        Assert.Contains("not after", e.Message);
    }

    [Theory]
    [InlineData("2024-07-02T13:00:00Z", 0.0)]
    [InlineData("2024-07-02T17:55:00Z", 1.0)]
    [InlineData("2024-07-02T15:30:00Z", 150.0 / 295)]
    public void Time_normalized(string utc, double expected) =>
        Assert.Equal(expected, TradingSession.TimeNormalized(DateTimeOffset.Parse(utc).UtcDateTime), 15);

    [Fact]
    public void Position_is_stored_as_zero_and_order_hash_is_sha256_of_the_names()
    {
        Assert.Equal(0, Build(FromCloses(1, 2))[1].Position);
        Assert.Equal(15, FeatureNames.Ordered.Count);
        // sha256("log_ret_5m,log_ret_1h,...,time_normalized"), computed outside .NET.
        Assert.Equal("aa52761d1d8e4d3d6a7a004776e6865842824c336e4dbeaace8c8b15b3b92690", FeatureNames.OrderHash);
    }

    private static void AssertSeries(double?[] expected, IEnumerable<double?> actual)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (var i = 0; i < a.Length; i++)
        {
            Assert.True(expected[i].HasValue == a[i].HasValue, $"bar {i}: expected {(expected[i].HasValue ? "a value" : "NULL")}, got {a[i]}");
            if (expected[i] is { } e) Assert.True(Math.Abs(e - a[i]!.Value) <= 1e-9 * Math.Max(1, Math.Abs(e)), $"bar {i}: {e} vs {a[i]}");
        }
    }
}
