using Cop.Actors.Macro;
using Cop.Streams.Macro.Sources;
using Cop.Tests.Infrastructure;
using Cop.Trading.Macro;

namespace Cop.Tests.Streams;

/// <summary>Every extractor against a loopback server serving answers in its API's documented
/// format (fixtures written from the documentation), including errors, timeouts and bad bodies.</summary>
public class MacroSourceTests
{
    private static readonly SourceResilience Fast = new()
    {
        FirstRetryDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 2, BreakerFailures = 3,
        // Generous: a loaded CI machine must not turn a slow answer into a retry (only the timeout test shortens it).
        BreakDuration = TimeSpan.FromMilliseconds(600), Timeout = TimeSpan.FromSeconds(5),
    };

    private static readonly MacroVariableSpec Ust10y = new("finc_bond_yield10y_usa_d_ust10y", "fred", "DGS10", MacroFrequency.Daily, 1, 7, -1, 20, 1, true);
    private static readonly DateOnly From = new(2025, 6, 23), To = new(2025, 6, 27);
    private static string F(string name) => FixtureServer.Fixture(name);

    [Fact]
    public async Task Fred_reads_observations_skips_dots_and_asks_for_the_range()
    {
        using var server = new FixtureServer().Answer(200, F("fred/series_observations_dgs10.json"));
        using var http = new HttpClient();
        var values = await new FredSource(http, server.BaseUrl, "k", Fast).FetchAsync(Ust10y, From, To);
        Assert.Equal([4.35, 4.30, 4.26, 4.29], values.Select(v => v.Value));
        Assert.Equal(new DateOnly(2025, 6, 26), values[2].Date);
        var request = Assert.Single(server.Requests);
        Assert.Contains("series_id=DGS10", request);
        Assert.Contains("observation_start=2025-06-23", request);
        Assert.Contains("file_type=json", request);
    }

    [Fact]
    public async Task Fred_permanent_error_fails_at_once_and_transient_ones_are_retried()
    {
        using var server = new FixtureServer().Answer(400, F("fred/error_400_series.json"));
        using var http = new HttpClient();
        var fred = new FredSource(http, server.BaseUrl, "k", Fast);
        var e = await Assert.ThrowsAsync<MacroSourceException>(() => fred.FetchAsync(Ust10y, From, To));
        Assert.Contains("series does not exist", e.Message);
        Assert.Single(server.Requests);

        using var flaky = new FixtureServer().Answer(500, "oops").Answer(429, "{}").Answer(200, F("fred/series_observations_dgs10.json"));
        Assert.Equal(4, (await new FredSource(http, flaky.BaseUrl, "k", Fast).FetchAsync(Ust10y, From, To)).Count);
        Assert.Equal(3, flaky.Requests.Count);
    }

    [Fact]
    public async Task A_timeout_is_transient_and_a_malformed_body_names_the_field()
    {
        using var http = new HttpClient();
        using var slow = new FixtureServer().Answer(200, F("fred/series_observations_dgs10.json"), delay: TimeSpan.FromSeconds(2));
        var timeout = await Assert.ThrowsAsync<MacroSourceException>(() => new FredSource(http, slow.BaseUrl, "k", Fast with { Timeout = TimeSpan.FromMilliseconds(400) }).FetchAsync(Ust10y, From, To));
        Assert.True(timeout.Transient);
        Assert.Contains("no answer within", timeout.Message);
        Assert.Equal(3, slow.Requests.Count);   // first try + 2 retries

        Assert.Contains("observations[0].value 'abc'", Assert.Throws<MacroSourceException>(() =>
            FredSource.Parse("""{"observations":[{"date":"2025-06-23","value":"abc"}]}""", "DGS10")).Message);
        Assert.Contains("not JSON", Assert.Throws<MacroSourceException>(() => FredSource.Parse("<html>", "DGS10")).Message);
        Assert.Contains("'23/06/2025' is not a yyyy-MM-dd date", Assert.Throws<MacroSourceException>(() =>
            FredSource.Parse("""{"observations":[{"date":"23/06/2025","value":"1"}]}""", "DGS10")).Message);
    }

    [Fact]
    public async Task The_breaker_opens_after_three_failed_calls_skips_the_source_then_recovers()
    {
        using var server = new FixtureServer().Answer(503, "down");
        using var http = new HttpClient();
        var fred = new FredSource(http, server.BaseUrl, "k", Fast);
        for (var i = 0; i < 3; i++) await Assert.ThrowsAsync<MacroSourceException>(() => fred.FetchAsync(Ust10y, From, To));
        Assert.Equal(BreakerState.Open, fred.BreakerState);
        var seen = server.Requests.Count;   // 3 calls x 3 attempts
        var open = await Assert.ThrowsAsync<MacroSourceException>(() => fred.FetchAsync(Ust10y, From, To));
        Assert.Contains("circuit open", open.Message);
        Assert.Equal(seen, server.Requests.Count);   // not called while open

        server.Answer(200, F("fred/series_observations_dgs10.json"));
        // Once the break is over the breaker lets a call through (until then each call is refused at once).
        var values = await Eventually.Value(async () =>
        {
            try { return await fred.FetchAsync(Ust10y, From, To); }
            catch (MacroSourceException e) when (e.Message.Contains("circuit open")) { return null; }
        }, Fast.BreakDuration + TimeSpan.FromSeconds(5), "the breaker to let a call through");
        Assert.Equal(4, values.Count);
        Assert.Equal(BreakerState.Closed, fred.BreakerState);
    }

    [Fact]
    public async Task The_daily_twelvedata_source_retries_a_rate_limit_in_the_body_and_fails_a_permanent_error_at_once_as_the_bar_client_does()
    {
        using var http = new HttpClient();
        var dxy = new MacroVariableSpec("fxrt_index_dxy_usa_d_dxy", "twelvedata", "DXY", MacroFrequency.Daily, 1, 7, 60, 160, 0.05);
        using var limited = new FixtureServer().Answer(200, F("twelvedata/error_429.json")).Answer(200, F("twelvedata/time_series_dxy_1day.json"));
        Assert.Equal(2, (await new TwelveDataDailySource(http, limited.BaseUrl, "k", Fast).FetchAsync(dxy, From, To)).Count);
        Assert.Equal(2, limited.Requests.Count);

        using var wrong = new FixtureServer().Answer(200, F("twelvedata/error_400_symbol.json"));
        var e = await Assert.ThrowsAsync<MacroSourceException>(() => new TwelveDataDailySource(http, wrong.BaseUrl, "k", Fast).FetchAsync(dxy, From, To));
        Assert.False(e.Transient);
        Assert.Contains("error 400", e.Message);
        Assert.Single(wrong.Requests);
    }

    [Fact]
    public async Task Bcrp_banrep_and_twelvedata_read_their_formats()
    {
        using var http = new HttpClient();
        var embi = new MacroVariableSpec("crsk_spread_embi_col_d_embi", "bcrp", "PD04715XD", MacroFrequency.Daily, 1, 7, 50, 3000, 0.35);
        using (var bcrp = new FixtureServer().Answer(200, F("bcrp/embig_colombia_daily.json")))
        {
            var values = await new BcrpSource(http, bcrp.BaseUrl, Fast).FetchAsync(embi, From, To);
            Assert.Equal([(new DateOnly(2025, 6, 23), 364.0), (new DateOnly(2025, 6, 24), 358), (new DateOnly(2025, 6, 26), 355)],
                values.Select(v => (v.Date, v.Value)));
            Assert.EndsWith("/PD04715XD/json/2025-06-23/2025-06-27", Assert.Single(bcrp.Requests));
        }
        var ibr = new MacroVariableSpec("finc_rate_ibr_overnight_col_d_ibr", "banrep", "IBR_OVERNIGHT", MacroFrequency.Daily, 1, 7, 0, 40, 2, true);
        using (var banrep = new FixtureServer().Answer(200, F("banrep/ibr_overnight_sdmx.json")))
        {
            var values = await new BanrepSource(http, banrep.BaseUrl, Fast).FetchAsync(ibr, From, To);
            Assert.Equal([9.245, 9.247, 9.251], values.Select(v => v.Value));
            Assert.Equal(new DateOnly(2025, 6, 27), values[^1].Date);
        }
        Assert.Contains("not an SDMX-JSON", Assert.Throws<MacroSourceException>(() => BanrepSource.Parse("""{"data":{}}""", "IBR")).Message);
        var dxy = new MacroVariableSpec("fxrt_index_dxy_usa_d_dxy", "twelvedata", "DXY", MacroFrequency.Daily, 1, 7, 60, 160, 0.05);
        using (var td = new FixtureServer().Answer(200, F("twelvedata/time_series_dxy_1day.json")))
        {
            var values = await new TwelveDataDailySource(http, td.BaseUrl, "k", Fast).FetchAsync(dxy, From, To);
            Assert.Equal([(new DateOnly(2025, 6, 26), 97.15), (new DateOnly(2025, 6, 27), 97.40)], values.Select(v => (v.Date, v.Value)));
            Assert.Contains("interval=1day", Assert.Single(td.Requests));
        }
    }
}
