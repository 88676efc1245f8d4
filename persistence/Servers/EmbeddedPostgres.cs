using Npgsql;

namespace Cop.Persistence.Servers;

public sealed record EmbeddedPostgresOptions
{
    /// <summary>Cluster folder; initdb runs on first use.</summary>
    public required string DataDirectory { get; init; }
    /// <summary>0 picks a free loopback port.</summary>
    public int Port { get; init; }
    public string Database { get; init; } = "cop";
    /// <summary>Tests trade durability for speed (fsync off); the demo and `cop run` keep it.</summary>
    public bool Durable { get; init; } = true;
    public string ServiceUser { get; init; } = "postgres";
}

/// <summary>
/// A private PostgreSQL cluster started from the machine's binaries, used whenever no
/// connection string is configured (the `cop` default and every test).
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private readonly EmbeddedPostgresOptions _options;
    private readonly string _bin;
    private bool _ownsServer;

    private EmbeddedPostgres(EmbeddedPostgresOptions options, string bin, int port)
    {
        _options = options;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }
    public string DataDirectory => _options.DataDirectory;
    public bool IsRunning { get; private set; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "cop",
        Database = _options.Database,
    }.ConnectionString;

    public string AdminConnectionString => new NpgsqlConnectionStringBuilder(ConnectionString)
    {
        Database = "postgres",
        Pooling = false,
    }.ConnectionString;

    /// <summary>Where the server binaries are: COP_PG_BIN, else Debian's layout, newest first.</summary>
    public static string LocateBinaries()
    {
        var fromEnv = Environment.GetEnvironmentVariable("COP_PG_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            if (File.Exists(Path.Combine(fromEnv, "pg_ctl"))) return fromEnv;
            throw new InvalidOperationException($"COP_PG_BIN={fromEnv} holds no pg_ctl");
        }
        foreach (var version in new[] { 17, 16, 15, 14 })
        {
            var dir = $"/usr/lib/postgresql/{version}/bin";
            if (File.Exists(Path.Combine(dir, "pg_ctl"))) return dir;
        }
        throw new InvalidOperationException(
            "PostgreSQL server binaries not found (looked in COP_PG_BIN and /usr/lib/postgresql/*/bin). " +
            "Install them with `apt-get install -y postgresql` (build.ps1 does it when run as root), " +
            "or set COP_DATABASE_URL to use an existing server.");
    }

    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, CancellationToken ct = default)
    {
        var bin = LocateBinaries();
        var dataDir = Path.GetFullPath(options.DataDirectory);
        options = options with { DataDirectory = dataDir };

        // A cluster already running from this folder (another `cop` process) is reused, not owned.
        var running = ReadRunningPort(dataDir);
        if (running is int livePort && await CanConnectAsync(livePort, ct))
        {
            var shared = new EmbeddedPostgres(options, bin, livePort) { IsRunning = true };
            await shared.EnsureDatabaseAsync(ct);
            return shared;
        }

        var port = options.Port != 0 ? options.Port : ProcessRunner.FreeLoopbackPort();
        var pg = new EmbeddedPostgres(options, bin, port);
        await pg.InitIfNeededAsync();
        await pg.StartServerAsync(ct);
        await pg.EnsureDatabaseAsync(ct);
        return pg;
    }

    private string PgData => Path.Combine(DataDirectory, "data");
    private string SocketDir => Path.Combine(DataDirectory, "run");
    private string LogFile => Path.Combine(DataDirectory, "postgres.log");
    private string? RunAs => ProcessRunner.IsRoot ? _options.ServiceUser : null;

    private async Task InitIfNeededAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(SocketDir);
        if (File.Exists(Path.Combine(PgData, "PG_VERSION"))) return;

        await ProcessRunner.ChownAsync(DataDirectory, _options.ServiceUser);
        var (code, output) = await ProcessRunner.RunAsync(Path.Combine(_bin, "initdb"),
            ["-D", PgData, "-U", "cop", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            RunAs);
        if (code != 0)
            throw new InvalidOperationException($"initdb failed in {PgData} (exit {code}): {output.Trim()}");
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        await ProcessRunner.ChownAsync(DataDirectory, _options.ServiceUser);
        var settings = new List<string>
        {
            $"-p {Port}", "-c listen_addresses=127.0.0.1", $"-k {SocketDir}",
            "-c max_connections=200", "-c shared_buffers=128MB",
            // Commit times of rows (pg_xact_commit_timestamp): latency audits by the database's own
            // clock, e.g. `cop bench`'s bar commit -> decision committed.
            "-c track_commit_timestamp=on",
        };
        if (!_options.Durable)
            settings.AddRange(["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]);

        var (code, output) = await ProcessRunner.RunAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", PgData, "-l", LogFile, "-o", string.Join(' ', settings), "-w", "-t", "60", "start"],
            RunAs, TimeSpan.FromSeconds(90));
        if (code != 0)
        {
            var log = File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(15)) : "";
            throw new InvalidOperationException($"PostgreSQL did not start on port {Port} (exit {code}): {output.Trim()}\n{log}");
        }
        _ownsServer = true;
        IsRunning = true;
    }

    /// <summary>Stops the server (tests use this with <see cref="RestartAsync"/> for outages).</summary>
    public async Task StopAsync(string mode = "fast")
    {
        if (!IsRunning || !_ownsServer) return;
        await ProcessRunner.RunAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", PgData, "-m", mode, "-w", "-t", "60", "stop"], RunAs, TimeSpan.FromSeconds(90));
        IsRunning = false;
    }

    /// <summary>Starts the server again on the same port after <see cref="StopAsync"/>.</summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        if (IsRunning) await StopAsync();
        await StartServerAsync(ct);
    }

    private async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @d", conn);
        exists.Parameters.AddWithValue("d", _options.Database);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            // Identifier, not a value: quote it ourselves (CREATE DATABASE takes no parameters).
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_options.Database.Replace("\"", "\"\"")}\"", conn);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Creates another database on this cluster (tests isolate themselves this way).</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync(ct);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"", conn);
        await create.ExecuteNonQueryAsync(ct);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    private static int? ReadRunningPort(string dataDir)
    {
        var pidFile = Path.Combine(dataDir, "data", "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        try
        {
            var lines = File.ReadAllLines(pidFile);
            return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
        }
        catch (IOException) { return null; }
    }

    private static async Task<bool> CanConnectAsync(int port, CancellationToken ct)
    {
        try
        {
            var cs = new NpgsqlConnectionStringBuilder
            { Host = "127.0.0.1", Port = port, Username = "cop", Database = "postgres", Pooling = false, Timeout = 3 };
            await using var conn = new NpgsqlConnection(cs.ConnectionString);
            await conn.OpenAsync(ct);
            return true;
        }
        catch (Exception) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await StopAsync();
    }
}
