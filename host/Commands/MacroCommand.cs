using Cop.Actors.Macro;
using Cop.Host.Application;
using Cop.Persistence.Macro;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Cop.Streams.Macro;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop macro seed --from F`, `cop macro status`, `cop macro accept` and `cop macro reject`.</summary>
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
            AnsiConsole.MarkupLine($"[grey]reasons: {Markup.Escape(QuarantineStore.MacroReasonsQuery)}[/]");
        var (filled, masters) = await MacroRunCompletion.CompleteAsync(store, settings.Macro, DateOnly.FromDateTime(DateTime.UtcNow));
        AnsiConsole.MarkupLine($"forward fill (last {settings.Macro.ForwardFillLookbackDays} days): {filled:N0} rows; " +
            $"Parquet: {Markup.Escape(string.Join(", ", masters.Select(m => $"{Path.GetFileName(m.Path)} ({m.Rows:N0} rows)")))} in {Markup.Escape(settings.Macro.ParquetDirectory)}");
        if (report.IgnoredColumns.Count > 0)
            AnsiConsole.MarkupLine($"[grey]not read (not in the catalogue at that frequency): {Markup.Escape(string.Join(", ", report.IgnoredColumns))}[/]");
        return 0;
    }

    public static async Task<int> AcceptAsync(CopSettings settings, string column, string from, string? reason)
    {
        var fromDate = Date("--from", from);
        return await DecideAsync(settings, column, review => review.AcceptAsync(column, fromDate, Reason(reason), DecidedBy()),
            r => $"accepted {r.Accepted:N0} values of {column} from {fromDate:yyyy-MM-dd}, {r.Rejected:N0} still rejected");
    }

    public static async Task<int> RejectAsync(CopSettings settings, string column, string from, string to, string? reason)
    {
        var (fromDate, toDate) = (Date("--from", from), Date("--to", to));
        return await DecideAsync(settings, column, review => review.RejectAsync(column, fromDate, toDate, Reason(reason), DecidedBy()),
            r => $"rejected {r.Rejected:N0} accepted values of {column} {fromDate:yyyy-MM-dd}..{toDate:yyyy-MM-dd} (quarantined)");
    }

    private static async Task<int> DecideAsync(CopSettings settings, string column, Func<MacroReview, Task<MacroDecisionReport>> decide,
        Func<MacroDecisionReport, string> summary)
    {
        if (settings.Macro.Catalogue.All(v => v.Column != column))
            throw new ArgumentException($"'{column}' is not a macro variable of the catalogue (see cop macro status)");
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        await using var features = new FeatureStore(services.ConnectionString);
        var report = await decide(new MacroReview(new MacroStore(db), settings.Macro, features));
        AnsiConsole.MarkupLine(Markup.Escape($"decision {report.DecisionId}: {summary(report)}; forward fill and Parquet regenerated; " +
            $"{report.FeatureRowsRebuilt:N0} feature rows rebuilt"));
        return 0;
    }

    private static DateOnly Date(string option, string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) ? d
            : throw new FormatException($"{option} '{text}' is not a date (yyyy-MM-dd)");

    private static string Reason(string? reason) => string.IsNullOrWhiteSpace(reason) ? "(no reason given)" : reason.Trim();

    /// <summary>Who decided: the operating-system user and host running the command.</summary>
    private static string DecidedBy() => $"{Environment.UserName}@{Environment.MachineName}";

    public static async Task<int> StatusAsync(CopSettings settings, bool json = false)
    {
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        var status = await new MacroStore(db).StatusAsync(settings.Macro.Catalogue);
        CliOutput.Write("cop macro status",
            [new("variable"), new("source"), new("last accepted"), new("usable from"), new("last run"), new("plan", Wrap: true), new("result"),
             new("detail", Wrap: true), new("breaker"), new("waiting"), new("waiting reason", Wrap: true)],
            status.Select(s => new object?[]
            {
                s.Variable, s.Source, s.LastDate, s.LastAvailable, s.LastRunAt, s.Plan, s.Result?.ToString().ToLowerInvariant(), s.Detail,
                s.BreakerState switch { BreakerState.Closed => "closed", BreakerState.HalfOpen => "half-open", _ => "open" }, s.Waiting, s.WaitingReason,
            }), json);
        if (json) return 0;
        // The reasons are long: one unwrapped line per stale series, below the table.
        foreach (var s in status.Where(s => s.Waiting > 0))
            Console.WriteLine($"stale {s.Variable}: last accepted {s.LastDate?.ToString("yyyy-MM-dd") ?? "never"}, {s.Waiting} values waiting, newest {s.WaitingReason}");
        if (status.Any(s => s.Waiting > 0))
            Console.WriteLine("decide with: cop macro accept <column> --from <date> [--reason ...] | cop macro reject <column> --from <date> --to <date> [--reason ...]");
        return 0;
    }
}
