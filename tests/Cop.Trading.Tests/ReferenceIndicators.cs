using Cop.Trading;

namespace Cop.Trading.Tests;

/// <summary>
/// The price features computed straight from features.md over whole arrays (no running state),
/// as an independent check of the incremental builder. Test code only.
/// </summary>
public static class ReferenceIndicators
{
    public static double?[] LogReturn(double[] c, int lag) =>
        [.. Enumerable.Range(0, c.Length).Select(i => i >= lag ? Math.Log(c[i] / c[i - lag]) : (double?)null)];

    public static double?[] Rsi(double[] c, int n = 9)
    {
        var r = new double?[c.Length];
        if (c.Length <= n) return r;
        var gain = new double[c.Length];
        var loss = new double[c.Length];
        for (var k = 1; k < c.Length; k++) { gain[k] = Math.Max(c[k] - c[k - 1], 0); loss[k] = Math.Max(c[k - 1] - c[k], 0); }
        double ag = gain.Skip(1).Take(n).Average(), al = loss.Skip(1).Take(n).Average();
        for (var i = n; i < c.Length; i++)
        {
            if (i > n) { ag = ((n - 1) * ag + gain[i]) / n; al = ((n - 1) * al + loss[i]) / n; }
            r[i] = ag + al == 0 ? 50 : 100 * ag / (ag + al);
        }
        return r;
    }

    public static double[] TrueRange(Bar[] b) =>
        [.. Enumerable.Range(0, b.Length).Select(k => k == 0 ? double.NaN
            : new[] { b[k].High - b[k].Low, Math.Abs(b[k].High - b[k - 1].Close), Math.Abs(b[k].Low - b[k - 1].Close) }.Max())];

    public static double?[] AtrPct(Bar[] b, int n = 10)
    {
        var r = new double?[b.Length];
        var tr = TrueRange(b);
        if (b.Length <= n) return r;
        var atr = tr.Skip(1).Take(n).Average();
        for (var i = n; i < b.Length; i++)
        {
            if (i > n) atr = ((n - 1) * atr + tr[i]) / n;
            r[i] = atr / b[i].Close;
        }
        return r;
    }

    public static double?[] Adx(Bar[] b, int n = 14)
    {
        var r = new double?[b.Length];
        var tr = TrueRange(b);
        var plus = new double[b.Length];
        var minus = new double[b.Length];
        for (var k = 1; k < b.Length; k++)
        {
            double up = b[k].High - b[k - 1].High, dn = b[k - 1].Low - b[k].Low;
            plus[k] = up > dn && up > 0 ? up : 0;
            minus[k] = dn > up && dn > 0 ? dn : 0;
        }
        var dx = new double[b.Length];
        double sTr = 0, sP = 0, sM = 0;
        for (var k = 1; k < b.Length; k++)
        {
            if (k <= n) { sTr += tr[k]; sP += plus[k]; sM += minus[k]; }
            else { sTr = sTr - sTr / n + tr[k]; sP = sP - sP / n + plus[k]; sM = sM - sM / n + minus[k]; }
            if (k < n) continue;
            double pdi = sTr == 0 ? 0 : 100 * sP / sTr, mdi = sTr == 0 ? 0 : 100 * sM / sTr;
            dx[k] = pdi + mdi == 0 ? 0 : 100 * Math.Abs(pdi - mdi) / (pdi + mdi);
        }
        if (b.Length < 2 * n) return r;
        var adx = dx.Skip(n).Take(n).Average();
        for (var i = 2 * n - 1; i < b.Length; i++)
        {
            if (i > 2 * n - 1) adx = ((n - 1) * adx + dx[i]) / n;
            r[i] = adx;
        }
        return r;
    }

    /// <summary>A seeded random walk of plausible USD/COP session bars.</summary>
    public static Bar[] RandomBars(int count, int seed = 7, DateTime? start = null)
    {
        var rng = new Random(seed);
        var t = start ?? new DateTime(2024, 7, 2, 13, 0, 0, DateTimeKind.Utc);
        var close = 4000.0;
        var bars = new Bar[count];
        for (var i = 0; i < count; i++)
        {
            var open = close * (1 + (rng.NextDouble() - 0.5) * 0.001);
            close = open * (1 + (rng.NextDouble() - 0.5) * 0.004);
            var high = Math.Max(open, close) * (1 + rng.NextDouble() * 0.001);
            var low = Math.Min(open, close) * (1 - rng.NextDouble() * 0.001);
            if (i % 17 == 5) { high = Math.Max(open, close); low = Math.Min(open, close); }  // flat wicks
            bars[i] = new Bar(t, open, high, low, close);
            t = NextSessionBar(t);
        }
        return bars;
    }

    public static DateTime NextSessionBar(DateTime t)
    {
        do t = t.AddMinutes(5);
        while (!TradingSession.IsSessionBar(t) || !MarketCalendar.IsTradingDay(TradingSession.BogotaDate(t)));
        return t;
    }
}
