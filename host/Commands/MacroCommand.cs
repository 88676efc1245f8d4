using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Cop.Streams.Macro;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop macro seed --from F` and `cop macro status`.</summary>
public static class MacroCommand
{
    public static async Task<int> SeedAsync(CopSettings settings, string from)
    {
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        var store = new MacroStore(db);
        var seeder = new MacroSeeder(store, settings.Macro);
        var report = Directory.Exists(from) ? await seeder.SeedFolderAsync(from)
            : File.Exists(from) ? await seeder.SeedFilesAsync([from])
            : throw new FileNotFoundException($"macro file or folder not found: {Path.GetFullPath(from)}");
        var table = new Table().Title($"cop macro seed: {report.Files.Count} files in {report.Elapsed.TotalSeconds:F1} s")
            .AddColumns("variable", "values stored", "quarantined");
        foreach (var (variable, (upserted, rejected)) in report.Variables.OrderBy(v => v.Key))
            table.AddRow(variable, upserted.ToString("N0"), rejected == 0 ? "0" : $"[yellow]{rejected:N0}[/]");
        AnsiConsole.Write(table);
        if (report.Rejected > 0)
            AnsiConsole.MarkupLine("[grey]reasons: SELECT source, reason FROM quarantine WHERE source LIKE 'macro:%'[/]");
        var (filled, masters) = await MacroRunCompletion.CompleteAsync(store, settings.Macro, DateOnly.FromDateTime(DateTime.UtcNow));
        AnsiConsole.MarkupLine($"forward fill (last {settings.Macro.ForwardFillLookbackDays} days): {filled:N0} rows; " +
            $"Parquet: {Markup.Escape(string.Join(", ", masters.Select(m => $"{Path.GetFileName(m.Path)} ({m.Rows:N0} rows)")))} in {Markup.Escape(settings.Macro.ParquetDirectory)}");
        if (report.IgnoredColumns.Count > 0)
            AnsiConsole.MarkupLine($"[grey]not read (not in the catalogue at that frequency): {Markup.Escape(string.Join(", ", report.IgnoredColumns))}[/]");
        return 0;
    }

    public static async Task<int> StatusAsync(CopSettings settings)
    {
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        var status = await new MacroStore(db).StatusAsync(settings.Macro.Catalogue);
        var table = new Table().Title("cop macro status").AddColumns("variable", "source", "last date", "usable from", "last run", "result", "breaker");
        foreach (var s in status)
            table.AddRow(s.Variable, s.Source, s.LastDate?.ToString("yyyy-MM-dd") ?? "-", s.LastAvailable?.ToString("yyyy-MM-dd") ?? "-",
                s.LastRunAt is { } at ? $"{at:yyyy-MM-dd HH:mm} {Markup.Escape(s.Plan ?? "")}" : "never",
                s.Result switch { "ok" => "[green]ok[/]", "failed" => $"[red]failed[/] {Markup.Escape(s.Detail ?? "")}", null => "-", var r => Markup.Escape(r) },
                s.BreakerState == "closed" ? "closed" : $"[red]{Markup.Escape(s.BreakerState)}[/]");
        AnsiConsole.Write(table);
        return 0;
    }
}
