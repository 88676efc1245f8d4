using Cop.Trading;

namespace Cop.Trading.Tests;

/// <summary>Against the published lists (Colombia: Ministerio del Interior's annual decree lists;
/// US: OPM's federal holiday schedules).</summary>
public class MarketCalendarTests
{
    public static TheoryData<int, string> ColombianLists => new()
    {
        { 2020, "01-01 01-06 03-23 04-09 04-10 05-01 05-25 06-15 06-22 06-29 07-20 08-07 08-17 10-12 11-02 11-16 12-08 12-25" },
        { 2021, "01-01 01-11 03-22 04-01 04-02 05-01 05-17 06-07 06-14 07-05 07-20 08-07 08-16 10-18 11-01 11-15 12-08 12-25" },
        { 2024, "01-01 01-08 03-25 03-28 03-29 05-01 05-13 06-03 06-10 07-01 07-20 08-07 08-19 10-14 11-04 11-11 12-08 12-25" },
        // 30 June 2025 is both Sagrado Corazón and San Pedro y San Pablo: 17 dates.
        { 2025, "01-01 01-06 03-24 04-17 04-18 05-01 06-02 06-23 06-30 07-20 08-07 08-18 10-13 11-03 11-17 12-08 12-25" },
        { 2026, "01-01 01-12 03-23 04-02 04-03 05-01 05-18 06-08 06-15 06-29 07-20 08-07 08-17 10-12 11-02 11-16 12-08 12-25" },
    };

    public static TheoryData<int, string> UsLists => new()
    {
        // 2021 also holds Friday 31 December, New Year's Day 2022 observed.
        { 2021, "01-01 01-18 02-15 05-31 06-18 07-05 09-06 10-11 11-11 11-25 12-24 12-31" },
        { 2023, "01-02 01-16 02-20 05-29 06-19 07-04 09-04 10-09 11-10 11-23 12-25" },
        { 2024, "01-01 01-15 02-19 05-27 06-19 07-04 09-02 10-14 11-11 11-28 12-25" },
        { 2025, "01-01 01-20 02-17 05-26 06-19 07-04 09-01 10-13 11-11 11-27 12-25" },
    };

    [Theory, MemberData(nameof(ColombianLists))]
    public void Colombian_holidays_match_the_published_list(int year, string list) =>
        Assert.Equal(Parse(year, list), MarketCalendar.ColombianHolidays(year));

    [Theory, MemberData(nameof(UsLists))]
    public void Us_holidays_match_the_published_list(int year, string list) =>
        Assert.Equal(Parse(year, list), MarketCalendar.UsHolidays(year));

    [Theory]
    [InlineData(2024, "2024-03-31")]
    [InlineData(2025, "2025-04-20")]
    [InlineData(2038, "2038-04-25")]
    [InlineData(2285, "2285-03-22")]
    public void Easter(int year, string date) => Assert.Equal(DateOnly.Parse(date), MarketCalendar.EasterSunday(year));

    [Fact]
    public void Emiliani_keeps_a_feast_that_already_falls_on_a_Monday()
    {
        // 29 June 2026 and 12 October 2026 are Mondays: they stay (the spec's sketch moved them a week).
        Assert.True(MarketCalendar.IsColombianHoliday(new DateOnly(2026, 6, 29)));
        Assert.False(MarketCalendar.IsColombianHoliday(new DateOnly(2026, 7, 6)));
        Assert.True(MarketCalendar.IsColombianHoliday(new DateOnly(2026, 10, 12)));
    }

    [Fact]
    public void Trading_days_exclude_weekends_and_Colombian_holidays_only()
    {
        Assert.False(MarketCalendar.IsTradingDay(new DateOnly(2025, 6, 30)));   // Colombian holiday
        Assert.True(MarketCalendar.IsTradingDay(new DateOnly(2025, 7, 4)));     // US holiday: market open
        Assert.True(MarketCalendar.IsUsHoliday(new DateOnly(2025, 7, 4)));
        Assert.False(MarketCalendar.IsTradingDay(new DateOnly(2025, 7, 5)));    // Saturday
    }

    private static List<DateOnly> Parse(int year, string list) =>
        [.. list.Split(' ').Select(md => DateOnly.Parse($"{year}-{md}"))];
}
