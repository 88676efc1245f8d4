namespace Cop.Trading.Features;

/// <summary>Serializable state of <see cref="PriceIndicators"/>.</summary>
public sealed record PriceIndicatorState(long Index, DateTime LastTime, double[] Closes, double PrevHigh, double PrevLow,
    double PrevClose, double Gain, double Loss, double Atr, double STr, double SPlus, double SMinus, double Adx,
    double? LogRet5m, double? LogRet1h, double? LogRet4h, double? Rsi9, double? AtrPct, double? Adx14);
