namespace Cop.Trading.Features;

/// <summary>One published macro value: dated <see cref="Date"/>, usable from <see cref="AvailableAt"/> (UTC).</summary>
public readonly record struct MacroObservation(DateOnly Date, DateTime AvailableAt, double Value)
{
    /// <summary>A value dated d with publication delay n days is usable from 00:00 Bogota on d + n.</summary>
    public static MacroObservation Published(DateOnly date, int delayDays, double value) =>
        new(date, TradingSession.BogotaMidnightUtc(date.AddDays(delayDays)), value);

    /// <summary>In a reload: the value of that date is no longer published (an operator rejected
    /// it); merging it removes the date from the history.</summary>
    public static MacroObservation Withdrawn(DateOnly date) => new(date, DateTime.MaxValue, double.NaN);

    public bool IsWithdrawn => double.IsNaN(Value);
}
