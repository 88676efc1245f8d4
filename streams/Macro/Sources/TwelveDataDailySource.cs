using Cop.Actors.Macro;
using Cop.Streams.Ingestion;
using Cop.Trading.Macro;

namespace Cop.Streams.Macro.Sources;

/// <summary>TwelveData time_series at interval 1day (FX rates, indices, gold): the day's close.
/// Asked and read as the bars are (<see cref="TwelveDataClient.TimeSeriesUrl"/>, <see cref="TwelveDataClient.Parse"/>),
/// through the same HTTP base; the breaker is the macro sources'.</summary>
public sealed class TwelveDataDailySource(HttpClient http, string baseUrl, string apiKey, SourceResilience resilience)
    : ResilientSource("twelvedata", http, resilience)
{
    protected override async Task<IReadOnlyList<MacroValue>> FetchOnceAsync(MacroVariableSpec v, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var body = await GetAsync(TwelveDataClient.TimeSeriesUrl(baseUrl, apiKey, v.SeriesId,
            $"interval=1day&start_date={from:yyyy-MM-dd}&end_date={to:yyyy-MM-dd}"), ct);
        try
        {
            return [.. TwelveDataClient.Parse(body, v.SeriesId).Select(b => new MacroValue(DateOnly.FromDateTime(b.Time.UtcDateTime), b.Close))];
        }
        catch (TwelveDataException e) { throw new MacroSourceException(e.Message, e.Retryable); }
    }
}
