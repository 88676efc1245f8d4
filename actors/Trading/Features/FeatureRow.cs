namespace Cop.Trading.Features;

/// <summary>One row of the feature store: the 15 canonical raw features of the bar starting at
/// <see cref="Time"/> (UTC). NULL (null) means "not enough history yet", never zero. A value type:
/// building a row per bar allocates nothing on the heap. <see cref="MacroAsOf"/> is not a feature:
/// the oldest of the macro inputs' newest dates, for readiness (stale macro data) and audits.</summary>
public readonly record struct FeatureRow(
    string Symbol, DateTime Time,
    double? LogRet5m, double? LogRet1h, double? LogRet4h, double? Rsi9, double? AtrPct, double? Adx14,
    double? DxyZ, double? DxyChange1d, double? VixZ, double? EmbiZ, double? BrentChange1d, double? RateSpread,
    double? UsdmxnChange1d, double Position, double TimeNormalized, DateOnly? MacroAsOf)
{
    /// <summary>The values in observation order (<see cref="FeatureNames.Ordered"/>).</summary>
    public double?[] Values()
    {
        var values = new double?[FeatureNames.Count];
        CopyTo(values);
        return values;
    }

    /// <summary>Writes the values in observation order into <paramref name="values"/> (a buffer reused bar after bar).</summary>
    public void CopyTo(Span<double?> values)
    {
        (values[0], values[1], values[2], values[3], values[4], values[5]) = (LogRet5m, LogRet1h, LogRet4h, Rsi9, AtrPct, Adx14);
        (values[6], values[7], values[8], values[9], values[10], values[11]) = (DxyZ, DxyChange1d, VixZ, EmbiZ, BrentChange1d, RateSpread);
        (values[12], values[13], values[14]) = (UsdmxnChange1d, Position, TimeNormalized);
    }

    /// <summary>Every market feature present (the state features are always present).</summary>
    public bool IsComplete => Array.TrueForAll(Values(), v => v is not null);
}
