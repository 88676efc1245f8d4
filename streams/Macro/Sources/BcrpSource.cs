using Cop.Actors.Macro;
using System.Globalization;
using System.Text.Json;
using Cop.Trading.Macro;

namespace Cop.Streams.Macro.Sources;

/// <summary>
/// BCRP's statistics API (https://estadisticas.bcrp.gob.pe/estadisticas/series/ayuda/api):
/// GET {base}/{series}/json/{from}/{to}; "periods" with Spanish period names ("02.Ene.20" daily,
/// "Ene.2020" monthly) and "values" as text, "n.d." where nothing was published.
/// </summary>
public sealed class BcrpSource(HttpClient http, string baseUrl, SourceResilience resilience)
    : ResilientSource("bcrp", http, resilience)
{
    private static readonly string[] Months = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "set", "oct", "nov", "dic"];

    protected override async Task<IReadOnlyList<MacroValue>> FetchOnceAsync(MacroVariableSpec v, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var (f, t) = v.Frequency == MacroFrequency.Daily ? ($"{from:yyyy-MM-dd}", $"{to:yyyy-MM-dd}") : ($"{from:yyyy-M}", $"{to:yyyy-M}");
        return Parse(await GetAsync($"{baseUrl.TrimEnd('/')}/{Uri.EscapeDataString(v.SeriesId)}/json/{f}/{t}", ct), v.SeriesId);
    }

    public static IReadOnlyList<MacroValue> Parse(string body, string series)
    {
        using var doc = Json.Document("bcrp", body);
        var periods = Json.Array(doc.RootElement, "periods", $"bcrp {series}");
        var values = new List<MacroValue>();
        var i = 0;
        foreach (var p in periods.EnumerateArray())
        {
            var where = $"bcrp {series} periods[{i++}]";
            var name = Json.Text(p, "name", where);
            if (!p.TryGetProperty("values", out var vs) || vs.ValueKind != JsonValueKind.Array || vs.GetArrayLength() == 0)
                throw new MacroSourceException($"{where} has no 'values'", transient: false);
            var text = vs[0].GetString() ?? "";
            if (text.Trim() is "n.d." or "") continue;
            var value = Json.Number(text, $"{where}.values[0]");
            values.Add(new MacroValue(PeriodDate(name, where), value));
        }
        return values;
    }

    /// <summary>"02.Ene.20" -> 2020-01-02; "Ene.2020" -> 2020-01-31 (a month dates to its last day).</summary>
    private static DateOnly PeriodDate(string name, string where)
    {
        var parts = name.Split('.');
        int Month(string m) => Array.IndexOf(Months, m.ToLowerInvariant()) + 1 is var k and > 0 ? k
            : throw new MacroSourceException($"{where}.name '{name}': unknown month '{m}'", transient: false);
        if (parts.Length == 3 && int.TryParse(parts[0], out var day) && int.TryParse(parts[2], out var yy))
            return new DateOnly(2000 + yy, Month(parts[1]), day);
        if (parts.Length == 2 && int.TryParse(parts[1], out var year))
        {
            var month = Month(parts[0]);
            return new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        }
        throw new MacroSourceException($"{where}.name '{name}' is not a BCRP period", transient: false);
    }
}
