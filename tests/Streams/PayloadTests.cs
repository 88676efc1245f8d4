using Cop.Streams.Notifications;

namespace Cop.Tests.Streams;

public class PayloadTests
{
    [Fact]
    public void Reads_a_trigger_payload()
    {
        var e = RowChannels.Parse(RowChannels.Bars,
            """{"symbol":"USD/COP","time":"2024-01-02T08:00:00-05:00","close":3950.25,"inserted_at":"2024-01-02T13:00:01.5+00:00"}""");
        Assert.Equal("USD/COP", e.Symbol);
        Assert.Equal(new DateTime(2024, 1, 2, 13, 0, 0, DateTimeKind.Utc), e.Time);
        Assert.Equal(DateTimeKind.Utc, e.Time.Kind);
        Assert.Equal(3950.25, e.Close);
        Assert.Equal(EventOrigin.Notify, e.Origin);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("""{"time":"2024-01-02T13:00:00Z","close":1}""", "'symbol'")]
    [InlineData("""{"symbol":"USD/COP","close":1}""", "'time'")]
    [InlineData("""{"symbol":"USD/COP","time":"yesterday","close":1}""", "'time'")]
    [InlineData("""{"symbol":"USD/COP","time":"2024-01-02T13:00:00Z","close":"x"}""", "'close'")]
    [InlineData("""{"symbol":"","time":"2024-01-02T13:00:00Z","close":1}""", "'symbol'")]
    public void Names_what_is_wrong_with_a_bad_payload(string payload, string expected)
    {
        var e = Assert.Throws<MalformedPayloadException>(() => RowChannels.Parse(RowChannels.Bars, payload));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Channel_names_come_only_from_the_allow_list()
    {
        Assert.True(Channels.TryParse("new_ohlcv_bar", out var c));
        Assert.Equal(NotifyChannel.NewOhlcvBar, c);
        Assert.False(Channels.TryParse("new_ohlcv_bar; DROP TABLE usdcop_m5_ohlcv", out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => Channels.Name((NotifyChannel)99));
    }
}
