using Cop.Actors.Macro;
using System.Globalization;
using System.Text.Json;
using Cop.Trading.Macro;

namespace Cop.Streams.Macro.Sources;

/// <summary>FRED series/observations (https://fred.stlouisfed.org/docs/api/fred/series_observations.html):
/// JSON observations with "date" and "value", where "." means no value that day.</summary>
public sealed class FredSource(HttpClient http, string baseUrl, string apiKey, SourceResilience resilience)
    : ResilientSource("fred", http, resilience)
{
    protected override async Task<IReadOnlyList<MacroValue>> FetchOnceAsync(MacroVariableSpec v, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var url = $"{baseUrl.TrimEnd('/')}/series/observations?series_id={Uri.EscapeDataString(v.SeriesId)}&api_key={Uri.EscapeDataString(apiKey)}" +
                  $"&file_type=json&observation_start={from:yyyy-MM-dd}&observation_end={to:yyyy-MM-dd}";
        return Parse(await GetAsync(url, ct), v.SeriesId);
    }

    public static IReadOnlyList<MacroValue> Parse(string body, string series)
    {
        using var doc = Json.Document("fred", body);
        var root = doc.RootElement;
        if (root.TryGetProperty("error_message", out var error))
            throw new MacroSourceException($"fred {series}: {error.GetString()}", transient: false);
        var observations = Json.Array(root, "observations", $"fred {series}");
        var values = new List<MacroValue>();
        var i = 0;
        foreach (var o in observations.EnumerateArray())
        {
            var where = $"fred {series} observations[{i++}]";
            var date = Json.Date(o, "date", where);
            var text = Json.Text(o, "value", where);
            if (text == ".") continue;   // FRED's "no observation"
            values.Add(new MacroValue(date, Json.Number(text, $"{where}.value")));
        }
        return values;
    }
}

/// <summary>Small JSON helpers that name the field that is wrong.</summary>
internal static class Json
{
    public static JsonDocument Document(string source, string body)
    {
        try { return JsonDocument.Parse(body); }
        catch (JsonException e) { throw new MacroSourceException($"{source}: answer is not JSON ({e.Message})", transient: false); }
    }

    public static string Text(JsonElement e, string name, string where) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()!
            : throw new MacroSourceException($"{where} has no string '{name}'", transient: false);

    public static JsonElement Array(JsonElement e, string name, string where) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array ? p
            : throw new MacroSourceException($"{where}: answer has no '{name}' array", transient: false);

    public static double Number(string text, string where) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
            : throw new MacroSourceException($"{where} '{text}' is not a number", transient: false);

    public static DateOnly Date(JsonElement e, string name, string where)
    {
        var text = Text(e, name, where);
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : throw new MacroSourceException($"{where}.{name} '{text}' is not a yyyy-MM-dd date", transient: false);
    }
}
