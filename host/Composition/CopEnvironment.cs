using Cop.Actors.Features;
using Cop.Actors.Models;
using Cop.Host.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cop.Host.Composition;

/// <summary>What <see cref="CopHosting.AddCop"/> starts the application on: the settings, the
/// database and Redis it talks to, which optional parts run, and decorators on the ports through
/// which a caller (the demo, the benchmarks, tests) observes the path without any switch in it.</summary>
public sealed record CopEnvironment
{
    public required CopSettings Settings { get; init; }
    public required string ConnectionString { get; init; }
    /// <summary>PostgreSQL itself when <see cref="ConnectionString"/> goes through a transaction-mode
    /// pooler (PgBouncer): the LISTEN connections and the role-bound feature writer, whose session
    /// state a pooler would not keep (cop.database.listen-connection-string). Null: the same server.</summary>
    public string? DirectConnectionString { get; init; }
    /// <summary>Redis for the online store; null: PostgreSQL, then recompute.</summary>
    public IConnectionMultiplexer? Redis { get; init; }
    public ILogger Log { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>False: the actor system alone (configuration, serializer, journal), for a caller
    /// that runs its own graphs or actors on it (the benchmarks).</summary>
    public bool ActorFamilies { get; init; } = true;
    /// <summary>Journal and snapshots in memory instead of PostgreSQL (what a durable journal costs, measured).</summary>
    public bool InMemoryJournal { get; init; }
    /// <summary>The deployed models and their new_features graph. False: a node that only builds
    /// features (the trading path runs elsewhere, or is measured apart).</summary>
    public bool DeployedModels { get; init; } = true;
    /// <summary>The macro tree on its schedule (cop run; the demo seeds from files instead).</summary>
    public bool MacroTree { get; init; }
    /// <summary>The TwelveData bar poller, when an API key is configured.</summary>
    public bool BarPolling { get; init; }
    /// <summary>The scheduled Redis materialisation (needs Redis).</summary>
    public bool OnlineStoreMaterialisation { get; init; }

    /// <summary>Wraps the feature writer's store (what a BarSeries loads from and UPSERTs into).</summary>
    public Func<IBarSeriesStore, IBarSeriesStore> FeatureWriter { get; init; } = s => s;
    /// <summary>Wraps the models' decision log.</summary>
    public Func<IDecisionLog, IDecisionLog> DecisionLog { get; init; } = l => l;

    /// <summary>`cop run`'s set: every part.</summary>
    public static CopEnvironment Service(CopSettings settings, string connectionString, IConnectionMultiplexer? redis, ILogger log) => new()
    {
        Settings = settings, ConnectionString = connectionString, Redis = redis, Log = log,
        MacroTree = true, BarPolling = true, OnlineStoreMaterialisation = true,
    };
}
