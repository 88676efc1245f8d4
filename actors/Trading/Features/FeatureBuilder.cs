namespace Cop.Trading.Features;

/// <summary>
/// Builds the canonical feature row of each validated bar of one series, in time order. The
/// single implementation of the features: the BarSeries actor, replays, datasets and
/// backtests all call <see cref="Next"/>. O(1) per bar.
/// </summary>
public sealed class FeatureBuilder(string symbol, MacroFeatures macro, PriceIndicators? price = null)
{
    public string Symbol { get; } = symbol;
    public PriceIndicators Price { get; } = price ?? new PriceIndicators();
    public MacroFeatures Macro { get; } = macro;

    /// <summary>Time of the last bar built, or null before the first.</summary>
    public DateTime? LastTime => Price.Count > 0 ? Price.LastTime : null;

    public FeatureRow Next(in Bar bar)
    {
        if (Price.Count > 0 && bar.Time <= Price.LastTime)
            throw new ArgumentException($"{Symbol}: bar {bar.Time:O} is not after the last built bar {Price.LastTime:O}");
        Price.Update(bar);
        Macro.AdvanceTo(bar.Time);
        return Current(bar.Time);
    }

    /// <summary>The row of the bar starting at <paramref name="time"/> from the current price and
    /// macro state (after <see cref="Next"/>, or after feeding the state some other way).</summary>
    public FeatureRow Current(DateTime time) =>
        new(Symbol, time,
            Price.LogRet5m, Price.LogRet1h, Price.LogRet4h, Price.Rsi9, Price.AtrPct, Price.Adx14,
            Macro.DxyZ, Macro.DxyChange1d, Macro.VixZ, Macro.EmbiZ, Macro.BrentChange1d, Macro.RateSpread, Macro.UsdmxnChange1d,
            Position: 0, TradingSession.TimeNormalized(time), Macro.AsOf);
}
