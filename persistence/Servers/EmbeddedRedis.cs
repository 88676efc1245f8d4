namespace Cop.Persistence.Servers;

/// <summary>
/// A private redis-server on a loopback port, used when COP_REDIS is unset. It is this process's
/// own child and dies with it (parent-death signal), so a crash or SIGKILL leaves no server behind;
/// its pid file is its own (<c>redis-PORT.pid</c>, with the owner's pid beside it), so instances
/// sharing a folder never stop each other's server. Nothing is persisted: the online store is a
/// cache rebuilt from PostgreSQL.
/// </summary>
public sealed class EmbeddedRedis : IAsyncDisposable
{
    private readonly string _dir;
    private readonly System.Diagnostics.Process _server;
    private bool _stopped;

    private EmbeddedRedis(string dir, int port, System.Diagnostics.Process server) { _dir = dir; Port = port; _server = server; }

    public int Port { get; }
    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000";
    /// <summary>The server's pid file: its pid, then the pid and start time of the Cop process that owns it.</summary>
    public string PidFile => PidFileFor(_dir, Port);
    private static string PidFileFor(string dir, int port) => Path.Combine(dir, $"redis-{port}.pid");
    private string OwnerFile => PidFile + ".owner";

    public static string LocateBinary()
    {
        foreach (var candidate in new[] { Environment.GetEnvironmentVariable("COP_REDIS_SERVER"), "/usr/bin/redis-server", "/usr/local/bin/redis-server" })
            if (!string.IsNullOrWhiteSpace(candidate) && File.Exists(candidate)) return candidate;
        throw new InvalidOperationException(
            "redis-server not found. Install it with `apt-get install -y redis-server` (build.ps1 does it when run as root), " +
            "or set COP_REDIS to use an existing server.");
    }

    public static async Task<EmbeddedRedis> StartAsync(string directory, int port = 0)
    {
        var bin = LocateBinary();
        directory = Path.GetFullPath(directory);
        try { Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmbeddedServerException($"cannot create the embedded Redis folder {directory}: {e.Message} (set cop.redis.embedded.directory or COP_REDIS).");
        }
        StopOrphans(directory);
        port = port != 0 ? port : ProcessRunner.FreeLoopbackPort();
        var log = Path.Combine(directory, "redis.log");
        var server = await ProcessRunner.StartTiedAsync(bin,
        [
            "--port", port.ToString(), "--bind", "127.0.0.1", "--daemonize", "no",
            "--pidfile", PidFileFor(directory, port), "--dir", directory, "--logfile", log,
            "--save", "", "--appendonly", "no",
        ], log, "TERM");
        var redis = new EmbeddedRedis(directory, port, server);
        ServerOwner.Record(redis.OwnerFile);
        await redis.WaitUntilReadyAsync();
        return redis;
    }

    /// <summary>Stops servers in this folder whose owner is gone (left by an older Cop, which
    /// daemonized them and shared one pid file); live owners' servers are left alone.</summary>
    private static void StopOrphans(string directory)
    {
        foreach (var pidFile in Directory.EnumerateFiles(directory, "redis*.pid"))
        {
            if (File.Exists(pidFile + ".owner") && ServerOwner.IsAlive(pidFile + ".owner")) continue;
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && IsRedis(pid))
            {
                try
                {
                    using var p = System.Diagnostics.Process.GetProcessById(pid);
                    p.Kill();
                    p.WaitForExit(5000);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException) { /* already gone */ }
            }
            File.Delete(pidFile);
            File.Delete(pidFile + ".owner");
        }
    }

    private static bool IsRedis(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").StartsWith(Path.GetFileName(LocateBinary())) || File.ReadAllText($"/proc/{pid}/comm").StartsWith("redis-server"); }
        catch (IOException) { return false; }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && !_server.HasExited)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                await using var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var n = await stream.ReadAsync(buffer);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG")) return;
            }
            catch (System.Net.Sockets.SocketException) { }
            catch (IOException) { }
            await Task.Delay(50);
        }
        var why = _server.HasExited ? $"it exited with code {_server.ExitCode}" : "it did not answer PING in 15 s";
        await StopAsync();
        throw new EmbeddedServerException($"redis-server did not start on port {Port}: {why} (log: {Path.Combine(_dir, "redis.log")}).");
    }

    /// <summary>Stops the server (tests use it to prove Redis down never stops the pipeline).</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        try
        {
            if (!_server.HasExited)
            {
                _server.Kill();
                await _server.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException) { /* already gone */ }
        _server.Dispose();
        File.Delete(PidFile);
        File.Delete(OwnerFile);
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
