using Cop.Host.Configuration;
using Cop.Persistence.Schema;
using Cop.Persistence.Servers;
using Npgsql;
using Serilog;

namespace Cop.Host.Infrastructure;

/// <summary>
/// The PostgreSQL Cop talks to: the configured one (COP_DATABASE_URL / HOCON), or a private
/// embedded cluster under .cop/ that lives as long as this object.
/// </summary>
public sealed class BackingServices : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;
    private EmbeddedRedis? _redisServer;
    private StackExchange.Redis.ConnectionMultiplexer? _redis;

    private BackingServices(string cs, EmbeddedPostgres? embedded)
    {
        // Prepared statements for the hot queries (the same few statements run per bar), unless the
        // connection string says otherwise.
        var b = new NpgsqlConnectionStringBuilder(cs);
        if (b.MaxAutoPrepare == 0) b.MaxAutoPrepare = 32;
        ConnectionString = b.ConnectionString;
        _embedded = embedded;
    }

    public string ConnectionString { get; }
    public EmbeddedPostgres? Embedded => _embedded;
    public string Describe => _embedded is null
        ? $"configured PostgreSQL {new NpgsqlConnectionStringBuilder(ConnectionString) { Password = null }.Host}"
        : _embedded.RelocatedBecause is { } because
            ? $"embedded PostgreSQL on 127.0.0.1:{_embedded.Port}, data in {_embedded.DataDirectory} (not {_embedded.RequestedDirectory}: {because})"
            : $"embedded PostgreSQL on 127.0.0.1:{_embedded.Port}, data in {_embedded.DataDirectory}";

    public static async Task<BackingServices> StartAsync(CopSettings settings, bool migrate = true, string? database = null)
    {
        BackingServices services;
        if (settings.DatabaseUrl is { } url)
        {
            services = new BackingServices(ConnectionStrings.NormalizePostgres(url), null);
            await services.CheckReachableAsync();
        }
        else
        {
            var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
            {
                DataDirectory = settings.PostgresDataDirectory,
                Port = settings.PostgresPort,
                FallbackRoot = settings.Hocon.GetString("cop.database.embedded.fallback-directory", "/var/lib/cop/embedded"),
            });
            services = new BackingServices(pg.ConnectionString, pg);
        }
        Log.Information("Using {Database}", services.Describe);
        if (database is not null) services = await services.WithFreshDatabaseAsync(database);
        if (migrate)
        {
            var applied = DatabaseMigrator.Apply(services.ConnectionString);
            if (applied.Count > 0) Log.Information("Applied migrations: {Migrations}", applied);
            foreach (var h in DatabaseMigrator.Holds(services.ConnectionString))
                Log.Warning("Migrations held back ({Kind} {Number}) by {By} at {At:u}: {Reason}; `cop migrate --roll-forward` applies them",
                    h.Kind, h.Number, h.HeldBy, h.HeldAt, h.Reason);
        }
        return services;
    }

    /// <summary>A configured server that cannot be reached is named (host, port, database) in one
    /// line, before migrations would report it as "migration ? failed".</summary>
    private async Task CheckReachableAsync()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false };
        try
        {
            await using var conn = new NpgsqlConnection(b.ConnectionString);
            await conn.OpenAsync();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            var where = $"the database at {b.Host}:{b.Port} (database {b.Database ?? "?"}, from COP_DATABASE_URL / cop.database.connection-string)";
            if (e is PostgresException pg) throw new InvalidOperationException($"{where} refused the connection: {pg.SqlState} {pg.MessageText}");
            var reason = (e.InnerException is System.Net.Sockets.SocketException or TimeoutException ? e.InnerException : e).Message;
            throw new InvalidOperationException($"{where} is unreachable: {reason}");
        }
    }

    /// <summary>Drops and recreates a database of its own on the same server (the demo and
    /// the benchmark start clean without touching the main one).</summary>
    private async Task<BackingServices> WithFreshDatabaseAsync(string name) =>
        new(await CreateFreshDatabaseAsync(name, migrate: false), _embedded);

    /// <summary>A fresh database next to this one, returned as a connection string.</summary>
    public async Task<string> CreateFreshDatabaseAsync(string name, bool migrate = true)
    {
        var main = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        var cs = await FreshDatabase.RecreateAsync(ConnectionString, name);
        Log.Information("Fresh database {Name} created next to {Main}", name, main);
        if (migrate) DatabaseMigrator.Apply(cs);
        return cs;
    }

    /// <summary>
    /// The online store's Redis: the configured one (COP_REDIS), else a private redis-server. Null
    /// (with a warning) when neither can be reached: Cop then reads features from PostgreSQL only,
    /// because Redis being down must never stop trading.
    /// </summary>
    public async Task<StackExchange.Redis.IConnectionMultiplexer?> RedisAsync(CopSettings settings)
    {
        if (_redis is not null) return _redis;
        try
        {
            var configuration = settings.RedisConfiguration;
            if (configuration is null)
            {
                _redisServer = await EmbeddedRedis.StartAsync(settings.RedisDirectory);
                configuration = _redisServer.Configuration;
            }
            var options = StackExchange.Redis.ConfigurationOptions.Parse(configuration);
            // The .NET thread pool instead of the client's own ten spinning socket threads.
            options.SocketManager = StackExchange.Redis.SocketManager.ThreadPool;
            _redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(options);
            Log.Information("Online store: Redis at {Endpoints}", string.Join(", ", _redis.GetEndPoints().Select(e => e.ToString())));
            return _redis;
        }
        catch (Exception e)
        {
            Log.Warning("Online store unavailable ({Error}): features are read from PostgreSQL only", e.Message);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (_redis is not null) await _redis.DisposeAsync();
        if (_redisServer is not null) await _redisServer.DisposeAsync();
        if (_embedded is not null) await _embedded.DisposeAsync();
        if (_redisServer is not null || _embedded is not null) Log.Information("Embedded servers stopped in {Ms} ms", clock.ElapsedMilliseconds);
    }
}
