using Cop.Trading;

namespace Cop.Trading.Tests;

public class TradingSessionTests
{
    // 2026-01-27 is a Tuesday; 13:00 UTC is 08:00 in Bogota.
    [Theory]
    [InlineData("2026-01-27T13:00:00Z", true)]   // first bar
    [InlineData("2026-01-27T17:55:00Z", true)]   // last bar (12:55 COT)
    [InlineData("2026-01-27T18:00:00Z", false)]  // 13:00 COT: closed
    [InlineData("2026-01-27T12:55:00Z", false)]  // 07:55 COT
    [InlineData("2026-01-27T08:00:00Z", false)]  // COT wall clock mislabelled as UTC (the data's defect)
    [InlineData("2026-01-27T13:02:00Z", false)]  // not on the 5-minute grid
    [InlineData("2026-01-31T15:00:00Z", false)]  // Saturday
    public void Session_bars(string utc, bool expected) =>
        Assert.Equal(expected, TradingSession.IsSessionBar(DateTimeOffset.Parse(utc).UtcDateTime));

    [Theory]
    [InlineData("2026-01-27T12:59:59Z", false)]
    [InlineData("2026-01-27T13:00:00Z", true)]
    [InlineData("2026-01-27T17:59:59Z", true)]
    [InlineData("2026-01-27T18:00:00Z", false)]
    [InlineData("2026-02-01T15:00:00Z", false)]  // Sunday
    public void Market_hours(string utc, bool expected) =>
        Assert.Equal(expected, TradingSession.IsOpen(DateTimeOffset.Parse(utc).UtcDateTime));
}
