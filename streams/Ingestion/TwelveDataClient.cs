using System.Globalization;
using System.Text.Json;
using Cop.Streams.Http;
using Cop.Trading.Validation;

namespace Cop.Streams.Ingestion;

/// <summary>TwelveData connection settings (hocon: cop.ingest.twelvedata; COP_TWELVEDATA_API_KEY).</summary>
public sealed record TwelveDataSettings
{
    public string BaseUrl { get; init; } = "https://api.twelvedata.com";
    public string ApiKey { get; init; } = "";
    public string Symbol { get; init; } = "USD/COP";
    public string Interval { get; init; } = "5min";
    /// <summary>Bars asked per poll: enough to refill a short outage without a backfill.</summary>
    public int OutputSize { get; init; } = 24;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    public int MaxAttempts { get; init; } = 4;
    /// <summary>The wait before the second attempt, doubling after (hocon: cop.ingest.twelvedata.first-retry-delay).</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}

public sealed class TwelveDataException(string message, bool retryable) : Exception(message)
{
    public bool Retryable { get; } = retryable;
}

/// <summary>
/// The TwelveData REST time_series endpoint (https://twelvedata.com/docs#time-series), asked in
/// UTC so every timestamp is unambiguous. Status handling, the rate limit and retries are
/// <see cref="HttpApiClient"/>'s, shared with the macro TwelveData source, which also asks
/// through <see cref="TimeSeriesUrl"/> and reads the answer (and TwelveData's error bodies) with
/// <see cref="Parse"/>: transient failures (timeouts, 5xx, HTTP or JSON 429) are retried with
/// exponential back-off; anything else fails at once naming the problem.
/// </summary>
public sealed class TwelveDataClient(HttpClient http, TwelveDataSettings settings)
    : HttpApiClient("TwelveData", http, settings.Timeout, settings.MaxAttempts, settings.FirstRetryDelay)
{
    public Task<IReadOnlyList<RawBar>> TimeSeriesAsync(CancellationToken ct = default) =>
        WithRetriesAsync(async token => Parse(await GetAsync(TimeSeriesUrl(settings.BaseUrl, settings.ApiKey, settings.Symbol,
            $"interval={settings.Interval}&outputsize={settings.OutputSize}"), token), settings.Symbol), ct);

    protected override Exception Failure(string message, bool transient) => new TwelveDataException(message, transient);

    protected override bool IsTransient(Exception e) => e is TwelveDataException { Retryable: true };

    /// <summary>A time_series request in UTC, oldest first; <paramref name="query"/> adds interval and range.</summary>
    public static string TimeSeriesUrl(string baseUrl, string apiKey, string symbol, string query) =>
        $"{baseUrl.TrimEnd('/')}/time_series?symbol={Uri.EscapeDataString(symbol)}&{query}&timezone=UTC&order=asc&format=JSON" +
        $"&apikey={Uri.EscapeDataString(apiKey)}";

    /// <summary>Parses a time_series body. Error bodies ({"status":"error","code":...}) and
    /// malformed values fail naming the field.</summary>
    public static IReadOnlyList<RawBar> Parse(string body, string symbol)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body); }
        catch (JsonException e) { throw new TwelveDataException($"TwelveData answered non-JSON ({e.Message}): {Shorten(body)}", retryable: false); }
        using (doc)
        {
            var root = doc.RootElement;
            var status = root.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (status == "error")
            {
                var code = root.TryGetProperty("code", out var c) && c.TryGetInt32(out var ci) ? ci : 0;
                var message = root.TryGetProperty("message", out var m) ? m.GetString() : "(no message)";
                throw new TwelveDataException($"TwelveData error {code}: {message}", retryable: code is 429 or >= 500);
            }
            if (!root.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array)
                throw new TwelveDataException($"TwelveData answer has no 'values' array: {Shorten(body)}", retryable: false);
            var zone = root.TryGetProperty("meta", out var meta) && meta.TryGetProperty("exchange_timezone", out var tz) ? tz.GetString() : null;
            var bars = new List<RawBar>();
            var index = 0;
            foreach (var v in values.EnumerateArray())
            {
                index++;
                var where = $"twelvedata values[{index - 1}]";
                var datetime = Field(v, "datetime", where);
                if (!DateTime.TryParseExact(datetime, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd"], CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
                    throw new TwelveDataException($"{where}.datetime '{datetime}' is not a timestamp", retryable: false);
                double Price(string name) => double.TryParse(Field(v, name, where), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p
                    : throw new TwelveDataException($"{where}.{name} '{Field(v, name, where)}' is not a number", retryable: false);
                var volume = v.TryGetProperty("volume", out var vol) && double.TryParse(vol.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var vv) ? vv : 0;
                bars.Add(new RawBar(symbol, new DateTimeOffset(time, TimeSpan.Zero), Price("open"), Price("high"), Price("low"), Price("close"),
                    volume, "twelvedata", $"{where} (timezone {zone ?? "UTC"})", v.GetRawText()));
            }
            return bars;
        }
    }

    private static string Field(JsonElement v, string name, string where) =>
        v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()!
            : throw new TwelveDataException($"{where} has no string '{name}'", retryable: false);

}
