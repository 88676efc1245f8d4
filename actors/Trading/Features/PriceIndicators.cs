namespace Cop.Trading.Features;

/// <summary>
/// Incremental price features of one bar series: log returns over 1, 12 and 48 bars, Wilder
/// RSI 9, ATR 10 / close and ADX 14 in the TA-Lib convention (features.md). O(1) state and work
/// per bar: a 49-close ring and a few running sums. Values are NULL until their warm-up ends.
/// Index i counts the bars seen, from 0.
/// </summary>
public sealed class PriceIndicators
{
    private const int RsiN = 9, AtrN = 10, AdxN = 14, Ring = 49;

    private readonly double[] _closes = new double[Ring];
    private long _i = -1;
    private double _prevHigh, _prevLow, _prevClose;
    private double _gain, _loss;              // RSI: sums during warm-up, then Wilder averages
    private double _atr;                      // ATR: sum during warm-up, then Wilder average
    private double _sTr, _sPlus, _sMinus;     // ADX: Wilder sums of TR, +DM, -DM
    private double _adx;                      // ADX: sum of DX during warm-up, then Wilder average

    public long Count => _i + 1;
    public DateTime LastTime { get; private set; }

    public double? LogRet5m { get; private set; }
    public double? LogRet1h { get; private set; }
    public double? LogRet4h { get; private set; }
    public double? Rsi9 { get; private set; }
    public double? AtrPct { get; private set; }
    public double? Adx14 { get; private set; }

    public void Update(in Bar bar)
    {
        var i = ++_i;
        var c = bar.Close;
        var slot = (int)(i % Ring);
        _closes[slot] = c;
        LastTime = bar.Time;
        if (i == 0) { Remember(bar); return; }

        LogRet5m = Math.Log(c / _prevClose);
        LogRet1h = i >= 12 ? Math.Log(c / _closes[slot >= 12 ? slot - 12 : slot + Ring - 12]) : null;
        LogRet4h = i >= 48 ? Math.Log(c / _closes[slot >= 48 ? slot - 48 : slot + Ring - 48]) : null;

        // RSI 9: mean of the first 9 gains/losses at i = 9, Wilder's average after.
        var d = c - _prevClose;
        double gain = d > 0 ? d : 0, loss = d < 0 ? -d : 0;
        if (i <= RsiN) { _gain += gain; _loss += loss; if (i == RsiN) { _gain /= RsiN; _loss /= RsiN; } }
        else { _gain = ((RsiN - 1) * _gain + gain) / RsiN; _loss = ((RsiN - 1) * _loss + loss) / RsiN; }
        Rsi9 = i < RsiN ? null : _gain + _loss == 0 ? 50 : 100 * _gain / (_gain + _loss);

        // ATR 10 over close.
        var tr = Math.Max(bar.High - bar.Low, Math.Max(Math.Abs(bar.High - _prevClose), Math.Abs(bar.Low - _prevClose)));
        if (i <= AtrN) { _atr += tr; if (i == AtrN) _atr /= AtrN; }
        else _atr = ((AtrN - 1) * _atr + tr) / AtrN;
        AtrPct = i < AtrN ? null : _atr / c;

        // ADX 14: Wilder sums from k = 14, DX from k = 14, ADX = mean(DX_14..DX_27) then Wilder.
        double up = bar.High - _prevHigh, dn = _prevLow - bar.Low;
        double plusDm = up > dn && up > 0 ? up : 0, minusDm = dn > up && dn > 0 ? dn : 0;
        if (i <= AdxN) { _sTr += tr; _sPlus += plusDm; _sMinus += minusDm; }
        else
        {
            _sTr = _sTr - _sTr / AdxN + tr;
            _sPlus = _sPlus - _sPlus / AdxN + plusDm;
            _sMinus = _sMinus - _sMinus / AdxN + minusDm;
        }
        if (i >= AdxN)
        {
            var dx = Dx(_sTr, _sPlus, _sMinus);
            if (i < 2 * AdxN - 1) _adx += dx;
            else if (i == 2 * AdxN - 1) _adx = (_adx + dx) / AdxN;
            else _adx = ((AdxN - 1) * _adx + dx) / AdxN;
        }
        Adx14 = i < 2 * AdxN - 1 ? null : _adx;
        Remember(bar);
    }

    private static double Dx(double sTr, double sPlus, double sMinus)
    {
        if (sTr == 0) return 0;
        double plusDi = 100 * sPlus / sTr, minusDi = 100 * sMinus / sTr;
        var sum = plusDi + minusDi;
        return sum == 0 ? 0 : 100 * Math.Abs(plusDi - minusDi) / sum;
    }

    private void Remember(in Bar bar) { _prevHigh = bar.High; _prevLow = bar.Low; _prevClose = bar.Close; }

    /// <summary>The whole state as data, for snapshots: restoring it continues bit for bit.</summary>
    public PriceIndicatorState Save() => new(_i, LastTime, [.. _closes], _prevHigh, _prevLow, _prevClose,
        _gain, _loss, _atr, _sTr, _sPlus, _sMinus, _adx, LogRet5m, LogRet1h, LogRet4h, Rsi9, AtrPct, Adx14);

    public static PriceIndicators Restore(PriceIndicatorState s)
    {
        if (s.Closes.Length != Ring) throw new ArgumentException($"snapshot holds {s.Closes.Length} closes, expected {Ring}");
        var p = new PriceIndicators
        {
            _i = s.Index, LastTime = s.LastTime, _prevHigh = s.PrevHigh, _prevLow = s.PrevLow, _prevClose = s.PrevClose,
            _gain = s.Gain, _loss = s.Loss, _atr = s.Atr, _sTr = s.STr, _sPlus = s.SPlus, _sMinus = s.SMinus, _adx = s.Adx,
            LogRet5m = s.LogRet5m, LogRet1h = s.LogRet1h, LogRet4h = s.LogRet4h, Rsi9 = s.Rsi9, AtrPct = s.AtrPct, Adx14 = s.Adx14,
        };
        s.Closes.CopyTo(p._closes, 0);
        return p;
    }
}
