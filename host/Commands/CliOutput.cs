using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>
/// How listing commands print (issue 18): `--json` writes a JSON array (one object per row, typed
/// values: numbers, ISO dates, null); to a terminal, a table whose cells never break (a date, an id
/// or a number stays whole; only free-text columns wrap); redirected (a pipe, a file, a log) one
/// tab-separated line per row with a header line, or, when COLUMNS says how wide the reader is, the
/// table at that width.
/// </summary>
public static class CliOutput
{
    public sealed record Column(string Name, bool Wrap = false);

    public static Option<bool> JsonOption() => new("--json") { Description = "Print JSON (an array of objects) instead of a table." };

    /// <summary>When stdout is not a terminal, Spectre would wrap every line at 80 columns whatever
    /// COLUMNS says: use COLUMNS when set, else never wrap.</summary>
    public static void ConfigureConsole()
    {
        if (!Console.IsOutputRedirected) return;
        AnsiConsole.Profile.Width = Columns() ?? 100_000;
    }

    private static int? Columns() =>
        int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : null;

    public static void Write(string title, IReadOnlyList<Column> columns, IEnumerable<object?[]> rows, bool json, TextWriter? to = null)
    {
        var output = to ?? Console.Out;
        var all = rows.ToList();
        if (json)
        {
            var keys = columns.Select(c => c.Name.Replace(' ', '_')).ToList();
            output.WriteLine(JsonSerializer.Serialize(all.Select(r => keys.Select((k, i) => (k, v: Json(r[i]))).ToDictionary(x => x.k, x => x.v)),
                new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        // A table whose whole values do not fit the width would have to break or crop them: then
        // rows as lines (tab-separated) instead, which a reader can still scan and a script split.
        var width = Console.IsOutputRedirected ? Columns() : AnsiConsole.Profile.Width;
        var texts = all.Select(r => r.Select(Text).ToArray()).ToList();
        var needed = columns.Select((c, i) => c.Wrap ? Math.Min(12, Widest(c, i)) : Widest(c, i)).Sum() + 3 * columns.Count + 1;
        int Widest(Column c, int i) => Math.Max(c.Name.Length, texts.Count == 0 ? 0 : texts.Max(t => t[i].Length));
        if (width is null || needed > width)
        {
            output.WriteLine(string.Join('\t', columns.Select(c => c.Name)));
            foreach (var r in texts) output.WriteLine(string.Join('\t', r.Select(v => v.Replace('\t', ' ').Replace('\n', ' '))));
            return;
        }
        var table = new Table().Title(Markup.Escape(title));
        foreach (var c in columns)
        {
            var column = new TableColumn(Markup.Escape(c.Name));
            if (!c.Wrap) column.NoWrap();
            table.AddColumn(column);
        }
        foreach (var r in texts) table.AddRow(r.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
    }

    public static string Text(object? v) => v switch
    {
        null => "-",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "on" : "off",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static object? Json(object? v) => v switch
    {
        DateTime t => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => v,
    };
}
