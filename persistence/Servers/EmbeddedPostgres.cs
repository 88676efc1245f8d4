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
    /// <summary>
    /// Where the cluster lives, one folder per requested data folder, when Cop runs as root and the
    /// service user cannot enter the requested folder (a checkout under /root or in a mode-700 folder).
    /// </summary>
    public string FallbackRoot { get; init; } = "/var/lib/cop/embedded";
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

    /// <summary>The folder the cluster was asked to live in (the data folder, unless relocated).</summary>
    public string RequestedDirectory { get; private init; } = "";
    /// <summary>Why the cluster lives elsewhere than requested; null when it does not.</summary>
    public string? RelocatedBecause { get; private init; }

    /// <summary>The file in a requested folder that names where its relocated cluster lives.</summary>
    public const string LocationFile = "LOCATION";

    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, CancellationToken ct = default)
    {
        var bin = LocateBinaries();
        var requested = Path.GetFullPath(options.DataDirectory);
        var (home, because) = await ResolveHomeAsync(requested, options);
        options = options with { DataDirectory = home };

        // A cluster already running from this folder: another live `cop` process shares it with us
        // (it stays theirs); one whose owner is gone is an orphan and is stopped, then started afresh.
        var running = ReadRunningPort(home);
        if (running is int livePort && await CanConnectAsync(livePort, ct))
        {
            if (ServerOwner.IsAlive(Path.Combine(home, OwnerFile)))
            {
                var shared = new EmbeddedPostgres(options, bin, livePort) { IsRunning = true, RequestedDirectory = requested, RelocatedBecause = because };
                await shared.EnsureDatabaseAsync(ct);
                return shared;
            }
            var orphan = new EmbeddedPostgres(options, bin, livePort) { IsRunning = true, _ownsServer = true };
            await orphan.StopAsync();
        }

        var port = options.Port != 0 ? options.Port : ProcessRunner.FreeLoopbackPort();
        var pg = new EmbeddedPostgres(options, bin, port) { RequestedDirectory = requested, RelocatedBecause = because };
        await pg.InitIfNeededAsync();
        await pg.StartServerAsync(ct);
        await pg.EnsureDatabaseAsync(ct);
        return pg;
    }

    /// <summary>
    /// Where the cluster of a requested folder lives. As root the server runs as the service user,
    /// which must be able to enter the folder; a checkout under /root or in a private (700) folder is
    /// out of its reach, so such a cluster lives in its own folder under FallbackRoot, keyed by the
    /// requested path (reused by the next run) and named in the requested folder's LOCATION file.
    /// </summary>
    private static async Task<(string Home, string? Because)> ResolveHomeAsync(string requested, EmbeddedPostgresOptions options)
    {
        if (ProcessRunner.IsRoot && !await ProcessRunner.UserExistsAsync(options.ServiceUser))
            throw new EmbeddedServerException(
                $"PostgreSQL refuses to run as root and this machine has no '{options.ServiceUser}' user to run it as: " +
                $"create it with `useradd --system --home-dir /var/lib/postgresql {options.ServiceUser}` (build.ps1 does), " +
                "or set COP_DATABASE_URL to use an existing server.");
        CreateFolder(requested, "the embedded PostgreSQL's folder");
        var pointer = Path.Combine(requested, LocationFile);
        if (!ProcessRunner.IsRoot) return (requested, null);
        // The folder itself becomes the service user's; what matters is every folder above it.
        if (await ProcessRunner.CanEnterAsync(Path.GetDirectoryName(requested) ?? "/", options.ServiceUser))
            return File.Exists(pointer) ? (File.ReadLines(pointer).First().Trim(), $"as recorded in {pointer}") : (requested, null);

        var blocked = requested;
        for (var dir = Directory.GetParent(requested); dir is not null; dir = dir.Parent)
            if (!await ProcessRunner.CanEnterAsync(dir.FullName, options.ServiceUser)) blocked = dir.FullName;
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(requested)))[..12].ToLowerInvariant();
        var home = Path.Combine(Path.GetFullPath(options.FallbackRoot), $"{new DirectoryInfo(requested).Parent?.Parent?.Name ?? "cop"}-{key}");
        CreateFolder(home, "the embedded PostgreSQL's folder outside the checkout");
        if (!await ProcessRunner.CanEnterAsync(home, options.ServiceUser))
            throw new EmbeddedServerException(
                $"the '{options.ServiceUser}' user can enter neither {blocked} nor {home}: make one of them reachable " +
                "(chmod o+x), point COP_PG_DATA or cop.database.embedded.fallback-directory at a folder it can enter, or set COP_DATABASE_URL.");
        var because = $"the '{options.ServiceUser}' user cannot enter {blocked}";
        await File.WriteAllTextAsync(pointer, $"{home}\n# The embedded cluster of {requested} lives in the folder above: {because}.\n");
        await File.WriteAllTextAsync(Path.Combine(home, "REQUESTED"), requested + "\n");
        return (home, because);
    }

    private static void CreateFolder(string path, string what)
    {
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmbeddedServerException($"cannot create {what} {path}: {e.Message} " +
                "(point COP_PG_DATA at a writable folder, or set COP_DATABASE_URL).");
        }
    }

    private const string OwnerFile = "owner";
    private string PgData => Path.Combine(DataDirectory, "data");
    private string SocketDir => Path.Combine(DataDirectory, "run");
    private string LogFile => Path.Combine(DataDirectory, "postgres.log");
    private string? RunAs => ProcessRunner.IsRoot ? _options.ServiceUser : null;
    private System.Diagnostics.Process? _server;

    private async Task InitIfNeededAsync()
    {
        CreateFolder(SocketDir, "the embedded PostgreSQL's socket folder");
        if (File.Exists(Path.Combine(PgData, "PG_VERSION"))) return;

        await ProcessRunner.ChownAsync(DataDirectory, _options.ServiceUser);
        var (code, output) = await ProcessRunner.RunAsync(Path.Combine(_bin, "initdb"),
            ["-D", PgData, "-U", "cop", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            RunAs);
        if (code != 0)
        {
            // The whole output goes to a file; the user gets its one line that says what went wrong.
            var log = Path.Combine(DataDirectory, "initdb.log");
            try { await File.WriteAllTextAsync(log, output); } catch (IOException) { log = "(not writable)"; }
            var reason = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Contains("error:") || l.Contains("denied")) ?? $"exit {code}";
            throw new EmbeddedServerException($"initdb could not create the embedded cluster in {PgData}: {reason} (full output in {log}).");
        }
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        await ProcessRunner.ChownAsync(DataDirectory, _options.ServiceUser);
        var settings = new List<string>
        {
            "-D", PgData, "-p", Port.ToString(), "-k", SocketDir,
            "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "shared_buffers=128MB",
            // Commit times of rows (pg_xact_commit_timestamp): latency audits by the database's own
            // clock, e.g. `cop bench`'s bar commit -> decision committed.
            "-c", "track_commit_timestamp=on",
        };
        if (!_options.Durable)
            settings.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);

        // The postmaster is our own child, tied to this process (SIGINT: a fast shutdown when we die).
        var logStart = File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;
        _server = await ProcessRunner.StartTiedAsync(Path.Combine(_bin, "postgres"), settings, LogFile, "INT", RunAs);
        ServerOwner.Record(Path.Combine(DataDirectory, OwnerFile));
        for (var deadline = DateTime.UtcNow.AddSeconds(90); ; await Task.Delay(50, ct))
        {
            if (_server.HasExited || DateTime.UtcNow > deadline)
            {
                var exited = _server.HasExited;
                if (!exited) { try { _server.Kill(); } catch (InvalidOperationException) { } }
                throw new EmbeddedServerException($"PostgreSQL did not start on port {Port} " +
                    $"({(exited ? $"exit {_server.ExitCode}" : "no answer in 90 s")}): {LogTail(logStart)} (log: {LogFile}).");
            }
            if (await CanConnectAsync(Port, ct)) break;
        }
        _ownsServer = true;
        IsRunning = true;
    }

    private string LogTail(long from)
    {
        try
        {
            using var f = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            f.Seek(Math.Min(from, f.Length), SeekOrigin.Begin);
            var lines = new StreamReader(f).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(" | ", lines.Where(l => l.Contains("FATAL") || l.Contains("ERROR")).DefaultIfEmpty(lines.LastOrDefault() ?? "no log output").TakeLast(3));
        }
        catch (IOException) { return "no log"; }
    }

    /// <summary>Stops the server (tests use this with <see cref="RestartAsync"/> for outages).</summary>
    public async Task StopAsync(string mode = "fast")
    {
        if (!IsRunning || !_ownsServer) return;
        await ProcessRunner.RunAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", PgData, "-m", mode, "-w", "-t", "60", "stop"], RunAs, TimeSpan.FromSeconds(90));
        if (_server is not null)
        {
            // pg_ctl waited for the postmaster to go; reap our child so it leaves no zombie.
            using var reaped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await _server.WaitForExitAsync(reaped.Token); } catch (OperationCanceledException) { _server.Kill(); }
            _server.Dispose();
            _server = null;
        }
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
