namespace Cop.Trading;

/// <summary>
/// The USD/COP session: 5-minute bars starting 08:00 to 12:55 America/Bogota (UTC-5 all year,
/// Colombia keeps no daylight saving), Monday to Friday, on Colombian trading days (MarketCalendar).
/// Plain C#: live bars, replays, datasets and backtests all ask this one place.
/// </summary>
public static class TradingSession
{
    public static readonly TimeSpan BogotaOffset = TimeSpan.FromHours(-5);
    public static readonly TimeSpan Open = new(8, 0, 0);
    public static readonly TimeSpan LastBarStart = new(12, 55, 0);
    public const int BarsPerDay = 60;
    public static readonly TimeSpan BarLength = TimeSpan.FromMinutes(5);
    /// <summary>Minutes from the first to the last bar start: 08:00 -> 12:55.</summary>
    public const double SessionSpanMinutes = 295;

    public static DateTime ToBogota(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).Add(BogotaOffset);

    /// <summary>The Bogota calendar day a UTC instant falls on.</summary>
    public static DateOnly BogotaDate(DateTime utc) => DateOnly.FromDateTime(ToBogota(utc));

    /// <summary>00:00 America/Bogota of <paramref name="day"/>, as UTC (when a macro value dated
    /// day - delay becomes available).</summary>
    public static DateTime BogotaMidnightUtc(DateOnly day) =>
        DateTime.SpecifyKind(day.ToDateTime(TimeOnly.MinValue) - BogotaOffset, DateTimeKind.Utc);

    /// <summary>Minutes from 08:00 Bogota to the bar's start, over 295: 0 at 08:00, 1 at 12:55.</summary>
    public static double TimeNormalized(DateTime utc) => (ToBogota(utc).TimeOfDay - Open).TotalMinutes / SessionSpanMinutes;

    /// <summary>True when a bar starting at <paramref name="utc"/> is on a weekday session's clock
    /// (holidays are the calendar's question: see <see cref="MarketCalendar"/>).</summary>
    public static bool IsSessionBar(DateTime utc)
    {
        var local = ToBogota(utc);
        return local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)
               && local.TimeOfDay >= Open && local.TimeOfDay <= LastBarStart
               && local.TimeOfDay.Ticks % TimeSpan.FromMinutes(5).Ticks == 0;
    }

    /// <summary>True while the market is open (08:00 to 13:00 Bogota on trading days).</summary>
    public static bool IsOpen(DateTime utc)
    {
        var local = ToBogota(utc);
        return MarketCalendar.IsTradingDay(DateOnly.FromDateTime(local))
               && local.TimeOfDay >= Open && local.TimeOfDay < LastBarStart + TimeSpan.FromMinutes(5);
    }
}
