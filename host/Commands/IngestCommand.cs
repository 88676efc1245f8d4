using Cop.Host.Application;
using Cop.Persistence.Macro;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Streams.Macro;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>
/// `cop ingest --file F`: validates a bar file (format of shared/data/usdcop_m5_ohlcv.csv.gz)
/// into the configured database. Accepted bars raise NOTIFY as they commit, so a running
/// `cop run` builds their features; rejected ones land in quarantine with their reason.
/// Re-running a file is safe: known bars come back as duplicates, nothing is stored twice.
/// </summary>
public static class IngestCommand
{
    public static async Task<int> RunAsync(CopSettings settings, string file, string? macroFile)
    {
        if (Directory.Exists(file)) throw new InvalidDataException($"--file {Path.GetFullPath(file)} is a directory: give one bar file (csv or csv.gz)");
        if (!File.Exists(file)) throw new FileNotFoundException($"bar file not found: {Path.GetFullPath(file)}");
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        if (macroFile is not null)
        {
            var seeded = Directory.Exists(macroFile)
                ? await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFolderAsync(macroFile)
                : await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([File.Exists(macroFile) ? macroFile
                    : throw new FileNotFoundException($"macro file not found: {Path.GetFullPath(macroFile)}")]);
            AnsiConsole.MarkupLine($"macro: {seeded.Upserted:N0} values seeded, {seeded.Rejected:N0} quarantined");
        }
        await using var bars = new BarStore(services.ConnectionString);
        var ingester = new BarIngester(bars, new QuarantineStore(db), settings.Validation, "file:" + Path.GetFileName(file));
        var report = await ingester.IngestFileAsync(file, DateTime.UtcNow);

        var table = new Table().Title($"cop ingest {Markup.Escape(Path.GetFileName(file))}").AddColumns("figure", "bars");
        table.AddRow("read", report.Read.ToString("N0"));
        table.AddRow("stored", report.Inserted.ToString("N0"));
        table.AddRow("  repaired (see bar_repairs)", report.Repaired.ToString("N0"));
        if (report.Raced > 0) table.AddRow("  stored meanwhile by another writer", report.Raced.ToString("N0"));
        foreach (var (reason, count) in report.Rejected.OrderByDescending(r => r.Value))
            table.AddRow($"quarantined: {Markup.Escape(reason)}", count.ToString("N0"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]reasons: {Markup.Escape(QuarantineStore.ReasonsQuery(ingester.Source))}[/]");
        return 0;
    }
}
