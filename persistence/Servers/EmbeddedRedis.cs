namespace Cop.Persistence.Servers;

/// <summary>
/// A private redis-server on a loopback port with a pid file, used when COP_REDIS is unset.
/// Nothing is persisted: the online store is a cache rebuilt from PostgreSQL.
/// </summary>
public sealed class EmbeddedRedis : IAsyncDisposable
{
    private readonly string _dir;
    private bool _stopped;

    private EmbeddedRedis(string dir, int port) { _dir = dir; Port = port; }

    public int Port { get; }
    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000";
    private string PidFile => Path.Combine(_dir, "redis.pid");

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
        Directory.CreateDirectory(directory);
        port = port != 0 ? port : ProcessRunner.FreeLoopbackPort();
        var redis = new EmbeddedRedis(directory, port);
        var (code, output) = await ProcessRunner.RunAsync(bin,
        [
            "--port", port.ToString(), "--bind", "127.0.0.1", "--daemonize", "yes",
            "--pidfile", redis.PidFile, "--dir", directory, "--logfile", Path.Combine(directory, "redis.log"),
            "--save", "", "--appendonly", "no",
        ]);
        if (code != 0) throw new InvalidOperationException($"redis-server did not start on port {port}: {output}");
        await redis.WaitUntilReadyAsync();
        return redis;
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
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
            await Task.Delay(50);
        }
        throw new TimeoutException($"redis-server on port {Port} did not answer PING");
    }

    /// <summary>Stops the server (tests use it to prove Redis down never stops the pipeline).</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        if (!File.Exists(PidFile)) return;
        if (int.TryParse((await File.ReadAllTextAsync(PidFile)).Trim(), out var pid))
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                p.Kill();
                await p.WaitForExitAsync();
            }
            catch (ArgumentException) { /* already gone */ }
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
