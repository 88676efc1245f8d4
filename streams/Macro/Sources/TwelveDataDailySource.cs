using Cop.Actors.Macro;
using Cop.Streams.Ingestion;
using Cop.Trading.Macro;

namespace Cop.Streams.Macro.Sources;

/// <summary>TwelveData time_series at interval 1day (FX rates, indices, gold): the day's close.</summary>
public sealed class TwelveDataDailySource(HttpClient http, string baseUrl, string apiKey, SourceResilience resilience)
    : ResilientSource("twelvedata", http, resilience)
{
    protected override async Task<IReadOnlyList<MacroValue>> FetchOnceAsync(MacroVariableSpec v, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var url = $"{baseUrl.TrimEnd('/')}/time_series?symbol={Uri.EscapeDataString(v.SeriesId)}&interval=1day&timezone=UTC&order=asc" +
                  $"&start_date={from:yyyy-MM-dd}&end_date={to:yyyy-MM-dd}&format=JSON&apikey={Uri.EscapeDataString(apiKey)}";
        var body = await GetAsync(url, ct);
        try
        {
            return [.. TwelveDataClient.Parse(body, v.SeriesId).Select(b => new MacroValue(DateOnly.FromDateTime(b.Time.UtcDateTime), b.Close))];
        }
        catch (TwelveDataException e) { throw new MacroSourceException(e.Message, e.Retryable); }
    }
}
