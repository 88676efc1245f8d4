using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Cop.Tests.Host;

/// <summary>`cop run` as an operator runs it: its own process, embedded PostgreSQL and Redis,
/// HTTP on loopback, then SIGTERM (what systemd and Kubernetes send).</summary>
public class ServiceShutdownTests(ITestOutputHelper output)
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int SigTerm = 15;

    [Fact]
    public async Task Sigterm_stops_cop_run_promptly_and_with_it_the_servers_it_started()
    {
        var home = Path.Combine(Path.GetTempPath(), $"cop-run-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { probe.Start(); port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port; }
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "cop.dll"), "run"])
        {
            WorkingDirectory = home,   // .cop/redis and .cop/macro land here
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["COP_PG_DATA"] = Path.Combine(home, "postgres"),
                ["COP_HTTP_URLS"] = $"http://127.0.0.1:{port}",
            },
        };
        using var cop = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        cop.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        cop.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        cop.BeginOutputReadLine();
        cop.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var healthy = false;
            for (var until = DateTime.UtcNow.AddSeconds(90); !healthy && DateTime.UtcNow < until && !cop.HasExited; await Task.Delay(250))
            {
                try { healthy = (await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode; }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
            }
            Assert.True(healthy, $"cop run never reported healthy:\n{log}");
            var postmaster = Path.Combine(home, "postgres", "data", "postmaster.pid");
            var redisPid = Path.Combine(home, ".cop", "redis", "redis.pid");
            Assert.True(File.Exists(postmaster) && File.Exists(redisPid), "the embedded servers are not where expected");

            var clock = Stopwatch.StartNew();
            Assert.Equal(0, kill(cop.Id, SigTerm));
            Assert.True(cop.WaitForExit(TimeSpan.FromSeconds(25)), $"cop run still running 25 s after SIGTERM:\n{log}");
            output.WriteLine($"stopped {clock.ElapsedMilliseconds} ms after SIGTERM, exit code {cop.ExitCode}");
            Assert.Equal(0, cop.ExitCode);
            Assert.False(File.Exists(postmaster), $"embedded PostgreSQL left running:\n{log}");
            Assert.False(File.Exists(redisPid) && ProcessAlive(await File.ReadAllTextAsync(redisPid)), $"embedded Redis left running:\n{log}");
            Assert.DoesNotContain("lost its connection", log.ToString());   // the graphs ended before the database went
        }
        finally
        {
            if (!cop.HasExited) cop.Kill(entireProcessTree: true);
            try { Directory.Delete(home, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool ProcessAlive(string pidText)
    {
        if (!int.TryParse(pidText.Trim(), out var pid)) return false;
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }
}
