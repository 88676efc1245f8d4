using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Spectre.Console;

namespace Cop.Host.Commands;

public static class MigrateCommand
{
    public static async Task<int> RunAsync(CopSettings settings, bool rollback, string? keepThrough)
    {
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
