using Cop.Host.Application;
using Cop.Persistence.Macro;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Cop.Actors.Macro;
using Cop.Persistence.Stores;
using Cop.Trading.Macro;

using Cop.Streams.Macro;

namespace Cop.Host.Application;

/// <summary>What a seed did, per variable.</summary>
public sealed record MacroSeedReport(IReadOnlyList<string> Files, IReadOnlyDictionary<string, (int Upserted, int Rejected)> Variables,
    IReadOnlyList<string> IgnoredColumns, TimeSpan Elapsed)
{
    public int Upserted => Variables.Values.Sum(v => v.Upserted);
    public int Rejected => Variables.Values.Sum(v => v.Rejected);
}

/// <summary>
/// `cop macro seed --from F`: loads macro files shaped like shared/data's (the upstream
/// macro_indicators_daily table, the monthly and quarterly masters) through the same validation,
/// delay and UPSERT as the extractors. A file's frequency comes from its name (daily, monthly,
/// quarterly); only catalogue variables of that frequency are read from it (the daily file also
/// carries monthly series forward-filled to every day: those come from the monthly master).
/// </summary>
public sealed class MacroSeeder(MacroStore store, MacroSettings settings, Func<DateOnly>? today = null)
{
    private readonly Func<DateOnly> _today = today ?? (() => DateOnly.FromDateTime(DateTime.UtcNow));

    public async Task<MacroSeedReport> SeedFolderAsync(string folder, CancellationToken ct = default)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"macro folder not found: {Path.GetFullPath(folder)}");
        var files = Directory.EnumerateFiles(folder)
            .Where(f => FrequencyOf(f) is not null && (f.EndsWith(".csv") || f.EndsWith(".csv.gz"))).Order().ToList();
        if (files.Count == 0) throw new FileNotFoundException($"no *daily*/*monthly*/*quarterly* .csv or .csv.gz file in {Path.GetFullPath(folder)}");
        return await SeedFilesAsync(files, ct);
    }

    public async Task<MacroSeedReport> SeedFilesAsync(IReadOnlyList<string> files, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var missing = await store.MissingColumnsAsync(settings.Catalogue, ct);
        if (missing.Count > 0) throw new InvalidOperationException($"the macro tables lack catalogue columns: {string.Join(", ", missing)}");
        var perVariable = new Dictionary<string, (int, int)>();
        var ignored = new List<string>();
        foreach (var file in files)
        {
            var frequency = FrequencyOf(file) ?? throw new InvalidDataException($"{file}: the name says neither daily, monthly nor quarterly");
            var (columns, values, unreadable) = Read(file);
            foreach (var column in columns)
            {
                var spec = settings.Catalogue.FirstOrDefault(v => v.Column == column);
                if (spec is null || spec.Frequency != frequency) { ignored.Add($"{Path.GetFileName(file)}:{column}"); continue; }
                var series = values[column];
                var bad = unreadable[column];
                if (series.Count == 0 && bad.Count == 0) continue;
                var (upserted, rejected, _) = await MacroIntake.StoreAsync(store, spec, series, _today(), bad, ct);
                await store.RecordRunAsync(spec.Column, spec.Source, null, MacroRunResult.Ok, $"seed from {Path.GetFileName(file)}",
                    upserted, rejected, BreakerState.Closed, ct);
                perVariable[column] = (upserted, rejected);
            }
        }
        return new MacroSeedReport(files, perVariable, ignored, clock.Elapsed);
    }

    public static MacroFrequency? FrequencyOf(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        return name.Contains("daily") ? MacroFrequency.Daily
            : name.Contains("monthly") ? MacroFrequency.Monthly
            : name.Contains("quarterly") ? MacroFrequency.Quarterly : null;
    }

    /// <summary>Columns (lower-cased), their non-empty values, and the cells that are not numbers
    /// (rejections naming file, line and the original text). The date is the 'fecha' column, or
    /// the first one when it has no name (the masters' index). A date on two rows is an error
    /// naming both lines: which of the two is right cannot be known.</summary>
    private static (IReadOnlyList<string> Columns, Dictionary<string, List<MacroValue>> Values, Dictionary<string, List<RejectedMacroValue>> Unreadable) Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var input = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionMode.Decompress) : (Stream)stream;
        using var reader = new StreamReader(input);
        var header = (reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty")).Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var dateIndex = Array.IndexOf(header, "fecha") is var i and >= 0 ? i : header[0].Length == 0 ? 0
            : throw new InvalidDataException($"{path}: no 'fecha' column and the first column has a name ('{header[0]}')");
        var columns = header.Select((h, k) => (h, k))
            .Where(c => c.k != dateIndex && c.h.Length > 0 && c.h is not ("created_at" or "updated_at" or "ffilled_from_date" or "release_date")).ToList();
        var values = columns.ToDictionary(c => c.h, _ => new List<MacroValue>());
        var unreadable = columns.ToDictionary(c => c.h, _ => new List<RejectedMacroValue>());
        var seen = new Dictionary<DateOnly, int>();
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0) continue;
            var f = text.Split(',');
            if (f.Length != header.Length) throw new InvalidDataException($"{path} line {line}: {f.Length} fields, header has {header.Length}");
            if (!DateOnly.TryParse(f[dateIndex], CultureInfo.InvariantCulture, out var date))
                throw new InvalidDataException($"{path} line {line}: '{f[dateIndex]}' is not a date");
            if (!seen.TryAdd(date, line))
                throw new InvalidDataException($"{path} line {line}: date {date:yyyy-MM-dd} is already on line {seen[date]} (one row per date); nothing of this file was stored");
            foreach (var (name, k) in columns)
            {
                if (f[k].Length == 0) continue;
                if (double.TryParse(f[k], NumberStyles.Float, CultureInfo.InvariantCulture, out var x)) values[name].Add(new MacroValue(date, x));
                else unreadable[name].Add(new RejectedMacroValue(name, date, double.NaN, MacroRejection.NotANumber,
                    $"{Path.GetFileName(path)} line {line}: '{f[k]}' is not a number", Text: f[k]));
            }
        }
        return ([.. columns.Select(c => c.h)], values, unreadable);
    }
}
