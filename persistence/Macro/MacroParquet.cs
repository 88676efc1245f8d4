using Cop.Persistence.Stores;
using Cop.Trading.Macro;
using Parquet;
using Parquet.Schema;

using Cop.Streams.Macro;

namespace Cop.Persistence.Macro;

/// <summary>
/// MACRO_DAILY_MASTER.parquet, MACRO_MONTHLY_MASTER.parquet, MACRO_QUARTERLY_MASTER.parquet:
/// each macro table (forward-filled cells included) with `fecha` as a Parquet DATE (INT32) and one
/// optional DOUBLE column per catalogue variable. Written to a temporary file and renamed, so a
/// reader never sees half a file.
/// </summary>
public static class MacroParquet
{
    public static string FileName(MacroFrequency f) => $"MACRO_{f.ToString().ToUpperInvariant()}_MASTER.parquet";

    public static async Task<IReadOnlyList<(string Path, int Rows)>> WriteMastersAsync(MacroStore store, MacroSettings settings, CancellationToken ct = default)
    {
        Directory.CreateDirectory(settings.ParquetDirectory);
        var written = new List<(string, int)>();
        foreach (var frequency in Enum.GetValues<MacroFrequency>())
        {
            var variables = settings.Catalogue.Where(v => v.Frequency == frequency).ToList();
            if (variables.Count == 0) continue;
            var columns = variables.Select(v => v.Column).ToList();
            var (dates, values) = await store.ReadTableAsync(variables[0].Table(), columns, ct);
            var path = Path.Combine(settings.ParquetDirectory, FileName(frequency));
            await WriteAsync(path, dates, columns, values, ct);
            written.Add((path, dates.Count));
        }
        return written;
    }

    public static async Task WriteAsync(string path, IReadOnlyList<DateOnly> dates, IReadOnlyList<string> columns,
        IReadOnlyList<double?[]> values, CancellationToken ct = default)
    {
        var dateField = new DataField<DateOnly>("fecha");
        var valueFields = columns.Select(c => new DataField<double?>(c)).ToList();
        var schema = new ParquetSchema([dateField, .. valueFields]);
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, file, cancellationToken: ct);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<DateOnly>(dateField, dates.ToArray(), cancellationToken: ct);
            for (var k = 0; k < columns.Count; k++)
                await group.WriteAsync<double>(valueFields[k], values[k], cancellationToken: ct);
        }
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>What follows every macro run (seed or extraction): the one-statement forward fill of
/// each table over the lookback window, then the three Parquet masters.</summary>
public static class MacroRunCompletion
{
    public static async Task<(int Filled, IReadOnlyList<(string Path, int Rows)> Masters)> CompleteAsync(
        MacroStore store, MacroSettings settings, DateOnly today, CancellationToken ct = default)
    {
        var filled = 0;
        using (Prometheus.TimerExtensions.NewTimer(Cop.Actors.Telemetry.CopMetrics.ForwardFillDuration.WithLabels("macro")))
            foreach (var table in settings.Catalogue.GroupBy(v => v.Table()))
                filled += await store.ForwardFillAsync(table.Key, [.. table.Select(v => v.Column)],
                    today.AddDays(-settings.ForwardFillLookbackDays), settings.ForwardFillLookbackDays, ct);
        return (filled, await MacroParquet.WriteMastersAsync(store, settings, ct));
    }
}
