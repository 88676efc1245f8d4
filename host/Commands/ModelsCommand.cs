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

    public static async Task<int> ListAsync(ModelRegistryStore registry) => await ListAsync(registry, json: false);

    public static async Task<int> ListAsync(ModelRegistryStore registry, bool json)
    {
        CliOutput.Write("model_registry",
            [new("model"), new("version"), new("status"), new("kill switch"), new("sha256"), new("last error", Wrap: true)],
            (await registry.ListAsync()).Select(m => new object?[] { m.ModelId, m.Version, m.Status, m.KillSwitch, json ? m.FileSha256 : m.FileSha256[..12], m.LastError }),
            json);
        return 0;
    }
}
