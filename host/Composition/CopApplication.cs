using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Cop.Host.Composition;

/// <summary>Cop without its HTTP endpoints: the same <see cref="CopHosting.AddCop"/> composition in a
/// generic host, for the demo, the benchmarks and the tests. Start-up is asynchronous end to end.</summary>
public sealed class CopApplication : IAsyncDisposable
{
    private readonly IHost _host;

    private CopApplication(IHost host, CopRuntime runtime)
    {
        _host = host;
        Runtime = runtime;
        System = host.Services.GetRequiredService<ActorSystem>();
        Registry = host.Services.GetRequiredService<IActorRegistry>();
    }

    public CopRuntime Runtime { get; }
    public ActorSystem System { get; }
    public IActorRegistry Registry { get; }

    public static async Task<CopApplication> StartAsync(CopEnvironment env, string name = "cop", CancellationToken ct = default)
    {
        var runtime = new CopRuntime(env);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog();
        builder.Services.AddAkka(name, (akka, _) => akka.AddCop(runtime));
        var host = builder.Build();
        try
        {
            await host.StartAsync(ct);
        }
        catch
        {
            host.Dispose();
            await runtime.DisposeAsync();
            throw;
        }
        return new CopApplication(host, runtime);
    }

    /// <summary>Stops like `cop run` does: CoordinatedShutdown ends the event graphs first, then the actors.</summary>
    public async ValueTask DisposeAsync()
    {
        try { await _host.StopAsync(); }
        finally
        {
            _host.Dispose();
            await Runtime.DisposeAsync();
        }
    }
}
