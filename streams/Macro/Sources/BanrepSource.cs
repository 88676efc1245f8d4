using Cop.Actors.Macro;
using System.Globalization;
using System.Text.Json;
using Cop.Trading.Macro;

namespace Cop.Streams.Macro.Sources;

/// <summary>
/// Banco de la República's statistics web service in SDMX-JSON 1.0 (the SDMX standard's JSON data
/// message): GET {base}/data/{series}?startPeriod=..&amp;endPeriod=..; observations are keyed by the
/// index of their TIME_PERIOD ("2024-01-02", "2024-01", "2024-Q1") and hold [value, ...].
/// </summary>
public sealed class BanrepSource(HttpClient http, string baseUrl, SourceResilience resilience)
    : ResilientSource("banrep", http, resilience)
{
    protected override async Task<IReadOnlyList<MacroValue>> FetchOnceAsync(MacroVariableSpec v, DateOnly from, DateOnly to, CancellationToken ct) =>
        Parse(await GetAsync($"{baseUrl.TrimEnd('/')}/data/{Uri.EscapeDataString(v.SeriesId)}?startPeriod={from:yyyy-MM-dd}&endPeriod={to:yyyy-MM-dd}&format=jsondata", ct), v.SeriesId);

    public static IReadOnlyList<MacroValue> Parse(string body, string series)
    {
        using var doc = Json.Document("banrep", body);
        var root = doc.RootElement;
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            throw new MacroSourceException($"banrep {series}: {errors[0]}", transient: false);
        try
        {
            var data = root.GetProperty("data");
            var periods = data.GetProperty("structure").GetProperty("dimensions").GetProperty("observation")
                .EnumerateArray().First(d => d.GetProperty("id").GetString() == "TIME_PERIOD").GetProperty("values")
                .EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList();
            var values = new List<MacroValue>();
            foreach (var s in data.GetProperty("dataSets")[0].GetProperty("series").EnumerateObject())
                foreach (var o in s.Value.GetProperty("observations").EnumerateObject())
                {
                    var index = int.Parse(o.Name, CultureInfo.InvariantCulture);
                    var cell = o.Value[0];
                    if (cell.ValueKind == JsonValueKind.Null) continue;
                    var value = cell.ValueKind == JsonValueKind.Number ? cell.GetDouble()
                        : double.TryParse(cell.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
                        : throw new MacroSourceException($"banrep {series} observation {index}: '{cell}' is not a number", transient: false);
                    values.Add(new MacroValue(PeriodDate(periods[index], series), value));
                }
            return [.. values.OrderBy(v => v.Date)];
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or ArgumentOutOfRangeException or FormatException)
        {
            throw new MacroSourceException($"banrep {series}: not an SDMX-JSON data message ({e.Message})", transient: false);
        }
    }

    private static DateOnly PeriodDate(string period, string series)
    {
        if (DateOnly.TryParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        if (DateOnly.TryParseExact(period + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m))
            return m.AddMonths(1).AddDays(-1);
        if (period.Length == 7 && period[4..6] == "-Q" && int.TryParse(period[..4], out var y) && int.TryParse(period[6..], out var q) && q is >= 1 and <= 4)
            return new DateOnly(y, q * 3, 1).AddMonths(1).AddDays(-1);
        throw new MacroSourceException($"banrep {series}: TIME_PERIOD '{period}' is not a day, month or quarter", transient: false);
    }
}
