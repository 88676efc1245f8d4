using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Tests.Infrastructure;
using Cop.Trading.Validation;
using Npgsql;

namespace Cop.Tests.Streams;

/// <summary>The TwelveData client against a loopback server serving responses in TwelveData's
/// documented format (fixtures written from https://twelvedata.com/docs#time-series).</summary>
[Collection(StreamsCollection.Name)]
public class TwelveDataTests
{
    private static TwelveDataSettings Settings(FixtureServer server) => new()
    {
        BaseUrl = server.BaseUrl, ApiKey = "test-key", FirstRetryDelay = TimeSpan.FromMilliseconds(20), MaxAttempts = 3,
    };

    [Fact]
    public async Task Parses_a_time_series_in_UTC_and_asks_for_it_correctly()
    {
        using var server = new FixtureServer().Answer(200, FixtureServer.Fixture("twelvedata/time_series_usdcop_5min.json"));
        using var http = new HttpClient();
        var bars = await new TwelveDataClient(http, Settings(server)).TimeSeriesAsync();
        Assert.Equal(5, bars.Count);
        Assert.Equal(new DateTimeOffset(2024, 7, 2, 13, 0, 0, TimeSpan.Zero), bars[0].Time);
        Assert.Equal((4085.1001, 4089.5, 4083.2002, 4088.0), (bars[0].Open, bars[0].High, bars[0].Low, bars[0].Close));
        var request = Assert.Single(server.Requests);
        Assert.Contains("symbol=USD%2FCOP", request);
        Assert.Contains("interval=5min", request);
        Assert.Contains("timezone=UTC", request);
        Assert.Contains("apikey=test-key", request);
    }

    [Fact]
    public async Task Rate_limits_and_server_errors_are_retried_with_back_off()
    {
        using var server = new FixtureServer()
            .Answer(200, FixtureServer.Fixture("twelvedata/error_429.json"))   // TwelveData reports 429 in a 200 body
            .Answer(503, "upstream down")
            .Answer(200, FixtureServer.Fixture("twelvedata/time_series_usdcop_5min.json"));
        using var http = new HttpClient();
        var bars = await new TwelveDataClient(http, Settings(server)).TimeSeriesAsync();
        Assert.Equal(5, bars.Count);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Permanent_errors_fail_at_once_naming_the_problem()
    {
        using var server = new FixtureServer().Answer(200, FixtureServer.Fixture("twelvedata/error_400_symbol.json"));
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<TwelveDataException>(() => new TwelveDataClient(http, Settings(server)).TimeSeriesAsync());
        Assert.Contains("error 400", e.Message);
        Assert.Contains("symbol", e.Message);
        Assert.Single(server.Requests);

        Assert.Contains("values[0].close", Assert.Throws<TwelveDataException>(() => TwelveDataClient.Parse(
            """{"values":[{"datetime":"2024-07-02 13:00:00","open":"1","high":"1","low":"1","close":"abc"}],"status":"ok"}""", "USD/COP")).Message);
        Assert.Contains("non-JSON", Assert.Throws<TwelveDataException>(() => TwelveDataClient.Parse("<html>", "USD/COP")).Message);
    }

    [Fact]
    public async Task A_poll_stores_new_complete_bars_and_skips_the_forming_one_and_known_ones()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("td");
        using var server = new FixtureServer().Answer(200, FixtureServer.Fixture("twelvedata/time_series_usdcop_5min.json"));
        using var http = new HttpClient();
        await using var bars = new BarStore(cs);
        await using var db = NpgsqlDataSource.Create(cs);
        var ingester = new BarIngester(bars, new QuarantineStore(db), new ValidationRules(), "twelvedata");
        var client = new TwelveDataClient(http, Settings(server));
        var now = new DateTime(2024, 7, 2, 13, 24, 0, DateTimeKind.Utc);   // the 13:20 bar is still forming

        var first = await ingester.IngestNewAsync(await client.TimeSeriesAsync(), now);
        Assert.Equal((4, 1, 0), (first.Inserted, first.Skipped, first.RejectedTotal));
        var second = await ingester.IngestNewAsync(await client.TimeSeriesAsync(), now.AddMinutes(2));
        Assert.Equal((1, 4, 0), (second.Inserted, second.Skipped, second.RejectedTotal));
        Assert.Equal(5L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM usdcop_m5_ohlcv WHERE source = 'twelvedata'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM quarantine"));
    }
}
