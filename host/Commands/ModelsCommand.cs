using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Cop.Trading.Decisions;
using Cop.Trading.Features;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop models register|baseline|list|status|kill-switch`: the model registry from the CLI
/// (parsing and display; the use cases are <see cref="ModelRegistration"/>).</summary>
public static class ModelsCommand
{
    public static async Task<int> RunAsync(CopSettings settings, Func<ModelRegistryStore, Task<int>> action)
    {
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        return await action(new ModelRegistryStore(db));
    }

    public static async Task<int> ListAsync(ModelRegistryStore registry)
    {
        var table = new Table().Title("model_registry").AddColumns("model", "version", "status", "kill switch", "sha256", "last error");
        foreach (var m in await registry.ListAsync())
            table.AddRow(m.ModelId, m.Version, m.Status, m.KillSwitch ? "[red]on[/]" : "off", m.FileSha256[..12], Markup.Escape(m.LastError ?? ""));
        AnsiConsole.Write(table);
        return 0;
    }
}
