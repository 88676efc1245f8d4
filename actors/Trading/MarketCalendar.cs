using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Cop.Trading;

/// <summary>
/// Colombian and US public holidays for any year, computed (never listed by hand).
/// Colombia: Ley 51 de 1983 ("Ley Emiliani") moves seven feasts and three Easter-based feasts
/// to the following Monday unless they already fall on one. US: the eleven federal holidays
/// with their observed dates (Saturday -> Friday, Sunday -> Monday); Juneteenth from 2021.
/// </summary>
public static class MarketCalendar
{
    private static readonly ConcurrentDictionary<int, FrozenSet<DateOnly>> Colombian = new();
    private static readonly ConcurrentDictionary<int, FrozenSet<DateOnly>> Us = new();

    public static bool IsColombianHoliday(DateOnly day) =>
        Colombian.GetOrAdd(day.Year, y => ColombianHolidays(y).ToFrozenSet()).Contains(day);

    public static bool IsUsHoliday(DateOnly day) => Us.GetOrAdd(day.Year, y => UsHolidays(y).ToFrozenSet()).Contains(day);

    public static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>A USD/COP trading day: a weekday that is not a Colombian holiday (the local FX
    /// market closes on those; US holidays thin liquidity but the market opens).</summary>
    public static bool IsTradingDay(DateOnly day) => !IsWeekend(day) && !IsColombianHoliday(day);

    public static IReadOnlyList<DateOnly> ColombianHolidays(int year)
    {
        var easter = EasterSunday(year);
        var days = new List<DateOnly>
        {
            new(year, 1, 1), new(year, 5, 1), new(year, 7, 20), new(year, 8, 7), new(year, 12, 8), new(year, 12, 25),
            easter.AddDays(-3),                     // Jueves Santo
            easter.AddDays(-2),                     // Viernes Santo
            NextMondayOrSame(easter.AddDays(39)),   // Ascensión (Thursday + 4 = Monday)
            NextMondayOrSame(easter.AddDays(60)),   // Corpus Christi
            NextMondayOrSame(easter.AddDays(68)),   // Sagrado Corazón
        };
        foreach (var (month, day) in new[] { (1, 6), (3, 19), (6, 29), (8, 15), (10, 12), (11, 1), (11, 11) })
            days.Add(NextMondayOrSame(new DateOnly(year, month, day)));
        // Two feasts can land on one Monday (30 June 2025): a holiday is a date.
        return [.. days.Distinct().Order()];
    }

    public static IReadOnlyList<DateOnly> UsHolidays(int year)
    {
        var days = new List<DateOnly>
        {
            Observed(new DateOnly(year, 1, 1)),
            NthWeekday(year, 1, DayOfWeek.Monday, 3),   // Martin Luther King Jr. Day
            NthWeekday(year, 2, DayOfWeek.Monday, 3),   // Washington's Birthday
            LastWeekday(year, 5, DayOfWeek.Monday),     // Memorial Day
            Observed(new DateOnly(year, 7, 4)),
            NthWeekday(year, 9, DayOfWeek.Monday, 1),   // Labor Day
            NthWeekday(year, 10, DayOfWeek.Monday, 2),  // Columbus Day
            Observed(new DateOnly(year, 11, 11)),       // Veterans Day
            NthWeekday(year, 11, DayOfWeek.Thursday, 4),// Thanksgiving
            Observed(new DateOnly(year, 12, 25)),
        };
        if (year >= 2021) days.Add(Observed(new DateOnly(year, 6, 19)));  // Juneteenth
        // New Year's Day of the next year observed on Friday 31 December belongs to this year.
        if (new DateOnly(year + 1, 1, 1).DayOfWeek == DayOfWeek.Saturday) days.Add(new DateOnly(year, 12, 31));
        days.RemoveAll(d => d.Year != year);
        days.Sort();
        return days;
    }

    /// <summary>Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).</summary>
    public static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
        int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
        int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
        int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, day);
    }

    private static DateOnly NextMondayOrSame(DateOnly day) =>
        day.AddDays(((int)DayOfWeek.Monday - (int)day.DayOfWeek + 7) % 7);

    private static DateOnly Observed(DateOnly day) => day.DayOfWeek switch
    {
        DayOfWeek.Saturday => day.AddDays(-1),
        DayOfWeek.Sunday => day.AddDays(1),
        _ => day,
    };

    private static DateOnly NthWeekday(int year, int month, DayOfWeek weekday, int n)
    {
        var first = new DateOnly(year, month, 1);
        return first.AddDays(((int)weekday - (int)first.DayOfWeek + 7) % 7 + 7 * (n - 1));
    }

    private static DateOnly LastWeekday(int year, int month, DayOfWeek weekday)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return last.AddDays(-(((int)last.DayOfWeek - (int)weekday + 7) % 7));
    }
}
