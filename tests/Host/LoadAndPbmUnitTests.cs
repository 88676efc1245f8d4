using Cop.Host.Admin;
using Cop.Host.Application;
using Cop.Host.Commands;
using Cop.Trading;

namespace Cop.Tests.Host;

/// <summary>The pure parts of `cop load` (session slots) and `cop pbm` (words, completion).</summary>
public class LoadAndPbmUnitTests
{
    [Fact]
    public void Slots_are_the_latest_ended_session_bars_of_trading_days_in_order()
    {
        // Tuesday 2026-11-17 10:02 Bogota: the 09:55 bar has ended, the 10:00 one has not; Monday 16th is a holiday.
        var end = new DateTime(2026, 11, 17, 15, 2, 0, DateTimeKind.Utc);
        var slots = BarLoad.Slots(30, end);
        Assert.Equal(30, slots.Count);
        Assert.Equal(new DateTime(2026, 11, 17, 14, 55, 0, DateTimeKind.Utc), slots[^1]);
        Assert.All(slots, s => Assert.True(TradingSession.IsSessionBar(s) && MarketCalendar.IsTradingDay(TradingSession.BogotaDate(s))));
        Assert.All(slots.Zip(slots.Skip(1)), p => Assert.True(p.Item1 < p.Item2));
        Assert.DoesNotContain(slots, s => TradingSession.BogotaDate(s) == new DateOnly(2026, 11, 16));
        Assert.Equal(new DateOnly(2026, 11, 13), TradingSession.BogotaDate(slots[0]));   // Friday, before the holiday weekend
    }

    [Fact]
    public void Completion_offers_the_next_words_of_the_palettes()
    {
        var p = AdminCommands.Palettes;
        Assert.Equal(["actor", "cluster", "cluster-sharding", "cop", "help"], AdminCommands.Complete(p, ""));
        Assert.Equal(["actor"], AdminCommands.Complete(p, "ac"));
        Assert.Equal(["hierarchy", "kill", "stop"], AdminCommands.Complete(p, "actor "));
        Assert.Equal(["bar-series", "model"], AdminCommands.Complete(p, "cop entity "));
        Assert.Empty(AdminCommands.Complete(p, "actor kill "));   // a path is the user's to type
        Assert.Equal(["cop", "entity", "bar-series", "USD/COP"], AdminCommands.Tokenize("cop entity  bar-series \"USD/COP\""));
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("45", 45)]
    public void Durations_read_as_seconds_or_minutes(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), LoadChaosCommand.Duration(text));

    [Fact]
    public void A_bad_duration_or_time_names_the_option() =>
        Assert.Contains("--duration 'soon'", Assert.Throws<ArgumentException>(() => LoadChaosCommand.Duration("soon")).Message);
}
