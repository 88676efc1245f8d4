namespace Cop.Trading;

/// <summary>
/// The USD/COP session: 5-minute bars starting 08:00 to 12:55 America/Bogota (UTC-5 all year,
/// Colombia keeps no daylight saving), Monday to Friday. Holidays join with the market calendar.
/// Plain C#: live bars, replays, datasets and backtests all ask this one place.
/// </summary>
public static class TradingSession
{
    public static readonly TimeSpan BogotaOffset = TimeSpan.FromHours(-5);
    public static readonly TimeSpan Open = new(8, 0, 0);
    public static readonly TimeSpan LastBarStart = new(12, 55, 0);
    public const int BarsPerDay = 60;

    public static DateTime ToBogota(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).Add(BogotaOffset);

    /// <summary>True when a bar starting at <paramref name="utc"/> belongs to a weekday session.</summary>
    public static bool IsSessionBar(DateTime utc)
    {
        var local = ToBogota(utc);
        return local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)
               && local.TimeOfDay >= Open && local.TimeOfDay <= LastBarStart
               && local.TimeOfDay.Ticks % TimeSpan.FromMinutes(5).Ticks == 0;
    }

    /// <summary>True while the market is open (08:00 to 13:00 Bogota on weekdays).</summary>
    public static bool IsOpen(DateTime utc)
    {
        var local = ToBogota(utc);
        return local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)
               && local.TimeOfDay >= Open && local.TimeOfDay < LastBarStart + TimeSpan.FromMinutes(5);
    }
}
