using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Spectre.Console;

namespace Cop.Host.Commands;

public static class MigrateCommand
{
    public static async Task<int> RunAsync(CopSettings settings, bool rollback, string? keepThrough)
    {
        if (keepThrough is not null && !rollback) throw new ArgumentException("--keep-through only applies with --rollback");
        if (keepThrough is not null && !System.Text.RegularExpressions.Regex.IsMatch(keepThrough, @"^\d{3}$"))
            throw new ArgumentException($"--keep-through '{keepThrough}' is not a migration number: give three digits, e.g. 032");
        await using var services = await BackingServices.StartAsync(settings, migrate: false);
        if (rollback)
        {
            var undone = DatabaseMigrator.Rollback(services.ConnectionString, keepThrough);
            AnsiConsole.MarkupLine(undone.Count == 0 ? "Nothing to roll back." : $"Rolled back: {string.Join(", ", undone)}");
        }
        else
        {
            var applied = DatabaseMigrator.Apply(services.ConnectionString);
            AnsiConsole.MarkupLine(applied.Count == 0 ? "Schema is up to date." : $"Applied: {string.Join(", ", applied)}");
        }
        var table = new Table().AddColumns("applied migration");
        foreach (var m in DatabaseMigrator.Applied(services.ConnectionString)) table.AddRow(m);
        AnsiConsole.Write(table);
        return 0;
    }
}
