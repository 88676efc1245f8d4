using Cop.Persistence.Stores;

namespace Cop.Tests.Persistence;

public class MaterializationScheduleTests
{
    [Theory]
    [InlineData("2026-11-24T13:00:00Z", true)]    // 08:00 Bogota, open, quarter hour
    [InlineData("2026-11-24T13:15:00Z", true)]
    [InlineData("2026-11-24T13:05:00Z", false)]   // not a quarter hour
    [InlineData("2026-11-24T12:00:00Z", true)]    // 07:00 Bogota on a trading day
    [InlineData("2026-11-28T12:00:00Z", false)]   // 07:00 on a Saturday
    [InlineData("2026-11-24T19:00:00Z", false)]   // 14:00: closed
    public void Every_15_minutes_in_market_hours_and_daily_at_7(string utc, bool due) =>
        Assert.Equal(due, OnlineFeatureStore.MaterializationDue(DateTimeOffset.Parse(utc).UtcDateTime));
}
