using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop migrate`: applies db-migrations/, rolls them back, or holds them rolled back.
/// A hold (--rollback-to, --rollback-only) is recorded in public.schemaversions_holds, so `cop run`
/// and a plain `cop migrate` never re-apply what an operator rolled back; --roll-forward lifts it.</summary>
public static class MigrateCommand
{
    public sealed record Options(bool Rollback, string? KeepThrough, string? RollbackTo = null, string? RollbackOnly = null,
        bool RollForward = false, string? Reason = null, string? By = null);

    public static Task<int> RunAsync(CopSettings settings, bool rollback, string? keepThrough) => RunAsync(settings, new Options(rollback, keepThrough));

    public static async Task<int> RunAsync(CopSettings settings, Options o)
    {
        if (o.KeepThrough is not null && !o.Rollback) throw new ArgumentException("--keep-through only applies with --rollback");
        foreach (var (name, value) in new[] { ("--keep-through", o.KeepThrough), ("--rollback-to", o.RollbackTo), ("--rollback-only", o.RollbackOnly) })
            if (value is not null && !System.Text.RegularExpressions.Regex.IsMatch(value, @"^\d{3}$"))
                throw new ArgumentException($"{name} '{value}' is not a migration number: give three digits, e.g. 032");
        var modes = new[] { o.Rollback, o.RollbackTo is not null, o.RollbackOnly is not null, o.RollForward }.Count(m => m);
        if (modes > 1) throw new ArgumentException("give one of --rollback, --rollback-to, --rollback-only, --roll-forward");
        if (o.RollbackOnly is not null && DatabaseMigrator.AllMigrations().All(m => !Path.GetFileName(m.Replace("migrations/", "")).StartsWith(o.RollbackOnly + "_")))
            throw new ArgumentException($"--rollback-only {o.RollbackOnly}: there is no migration {o.RollbackOnly}");
        var by = o.By ?? Environment.UserName;
        var reason = o.Reason ?? "operator rollback";

        await using var services = await BackingServices.StartAsync(settings, migrate: false);
        var cs = services.ConnectionString;
        if (o.Rollback)
        {
            var undone = DatabaseMigrator.Rollback(cs, o.KeepThrough);
            AnsiConsole.MarkupLine(undone.Count == 0 ? "Nothing to roll back." : $"Rolled back: {string.Join(", ", undone)}");
        }
        else if (o.RollbackTo is { } target)
        {
            var undone = DatabaseMigrator.RollbackTo(cs, target, by, reason);
            AnsiConsole.MarkupLine($"Rolled back: {(undone.Count == 0 ? "nothing" : string.Join(", ", undone))}. Held at {target}: cop run and cop migrate apply nothing newer until `cop migrate --roll-forward`.");
        }
        else if (o.RollbackOnly is { } number)
        {
            var undone = DatabaseMigrator.RollbackOnly(cs, number, by, reason);
            AnsiConsole.MarkupLine($"Rolled back {undone}; held: cop run and cop migrate do not apply it again until `cop migrate --roll-forward`.");
        }
        else if (o.RollForward)
        {
            var (lifted, applied) = DatabaseMigrator.RollForward(cs);
            AnsiConsole.MarkupLine($"Holds lifted: {(lifted.Count == 0 ? "none" : string.Join(", ", lifted.Select(h => $"{h.Kind} {h.Number}")))}. "
                                   + (applied.Count == 0 ? "Schema is up to date." : $"Applied: {string.Join(", ", applied)}"));
        }
        else
        {
            var applied = DatabaseMigrator.Apply(cs);
            AnsiConsole.MarkupLine(applied.Count == 0 ? "Schema is up to date." : $"Applied: {string.Join(", ", applied)}");
        }
        foreach (var h in DatabaseMigrator.Holds(cs))
            AnsiConsole.MarkupLine(Markup.Escape($"Held ({h.Kind} {h.Number}) by {h.HeldBy} at {h.HeldAt:yyyy-MM-dd HH:mm:ss}Z: {h.Reason}"));
        var table = new Table().AddColumns("applied migration");
        foreach (var m in DatabaseMigrator.Applied(cs)) table.AddRow(m);
        AnsiConsole.Write(table);
        return 0;
    }
}
