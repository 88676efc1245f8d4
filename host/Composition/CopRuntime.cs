using Akka.Actor;
using Cop.Actors.Models;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Npgsql;

namespace Cop.Host.Composition;

/// <summary>The parts <see cref="CopHosting.AddCop"/> started and the connections they share, for
/// /health and for callers that drive the path (the demo, the benchmarks, tests). Filled while the
/// actor system starts; the event graphs are stopped in CoordinatedShutdown, while the actors they
/// talk to still run.</summary>
public sealed class CopRuntime : IAsyncDisposable
{
    public CopRuntime(CopEnvironment env)
    {
        Environment = env;
        Pooled = NpgsqlDataSource.Create(ConnectionStrings.Pooled(env.ConnectionString, "cop-service"));   // heartbeat, macro, quarantine
        Online = env.Redis is null ? null : new OnlineFeatureStore(env.Redis);
    }

    public CopEnvironment Environment { get; }
    public NpgsqlDataSource Pooled { get; }
    public HttpClient Http { get; } = new();
    public OnlineFeatureStore? Online { get; }
    /// <summary>The rows the feature writer in this process just committed: the models read them first.</summary>
    public RecentFeatureRows Recent { get; } = new();
    public IActorRef? Heartbeat { get; internal set; }
    public FeatureWiring? Features { get; internal set; }
    public TradingWiring? Trading { get; internal set; }

    internal void Echo(string listener, string payload) => Heartbeat?.Tell(new Actors.Heartbeat.HeartbeatMonitor.Echo(listener, payload));

    private int _stopped;

    /// <summary>Ends the event graphs and closes their connections; once.</summary>
    public async Task StopGraphsAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        if (Trading is not null) await Trading.DisposeAsync();
        if (Features is not null) await Features.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopGraphsAsync();
        Http.Dispose();
        await Pooled.DisposeAsync();
    }
}
