using System.Diagnostics;
using Cop.Persistence.Objects;
using Cop.Persistence.Servers;

namespace Cop.Tests.Infrastructure;

/// <summary>
/// A real S3-protocol server for the object store's tests: npm's s3rver (installed by build.ps1
/// into .cop/npm of the checkout), started on a free loopback port with a bucket of its own and a
/// data folder in /tmp, tied to the test process by the kernel's parent-death signal (like the
/// embedded PostgreSQL) and stopped when the class's tests are done.
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string Bucket = "cop-test";
    private Process? _server;
    private string _dir = "";

    public S3ObjectSettings Settings { get; private set; } = null!;
    public string Log => File.Exists(Path.Combine(_dir, "s3rver.log")) ? File.ReadAllText(Path.Combine(_dir, "s3rver.log")) : "";

    public static string Script()
    {
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "db-migrations"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no checkout above the test binaries");
        var script = Path.Combine(root, ".cop", "npm", "node_modules", "s3rver", "bin", "s3rver.js");
        return File.Exists(script) ? script
            : throw new InvalidOperationException($"s3rver is not installed at {script}: `dotnet pwsh ./build.ps1 test` installs it (npm install --prefix .cop/npm s3rver@3.7.1)");
    }

    public async Task InitializeAsync()
    {
        var script = Script();
        _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cop-s3rver-{Guid.NewGuid():N}")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(_dir, "data")).FullName;
        var port = ProcessRunner.FreeLoopbackPort();
        // Tied like the embedded servers: a test run that dies takes s3rver with it.
        _server = await ProcessRunner.StartTiedAsync("node",
            [script, "-d", data, "-a", "127.0.0.1", "-p", port.ToString(), "--configure-bucket", Bucket],
            Path.Combine(_dir, "s3rver.log"), "KILL");
        // s3rver's default credentials; path-style keys (no DNS for a bucket host name on loopback).
        Settings = new S3ObjectSettings(Bucket, $"http://127.0.0.1:{port}", "S3RVER", "S3RVER", "us-east-1", PathStyle: true);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.Until(async () =>
        {
            if (_server.HasExited) throw new InvalidOperationException($"s3rver exited ({_server.ExitCode}): {Log}");
            try { return (await http.GetAsync($"http://127.0.0.1:{port}/{Bucket}")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, TimeSpan.FromSeconds(30), $"s3rver listening on 127.0.0.1:{port} with bucket {Bucket}", () => Log);
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }
        _server?.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
