using System.Diagnostics;
using Cop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cop.Tests.Host;

/// <summary>`cop run` as an operator runs it: its own process, embedded PostgreSQL and Redis,
/// HTTP on loopback, then SIGTERM (what systemd and Kubernetes send).</summary>
public class ServiceShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_stops_cop_run_promptly_and_with_it_the_servers_it_started()
    {
        var home = Path.Combine(Path.GetTempPath(), $"cop-run-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        // .cop/redis and .cop/macro land in the working directory.
        using var cop = CopProcess.Start(home, new Dictionary<string, string> { ["COP_PG_DATA"] = Path.Combine(home, "postgres") }, "run");
        try
        {
            Assert.True(await cop.WaitHealthyAsync(), $"cop run never reported healthy:\n{cop.Log}");
            var postmaster = Path.Combine(home, "postgres", "data", "postmaster.pid");
            var redisPid = Directory.GetFiles(Path.Combine(home, ".cop", "redis"), "redis-*.pid").Single();
            Assert.True(File.Exists(postmaster), "the embedded PostgreSQL is not where expected");
            var redis = int.Parse(File.ReadAllText(redisPid).Trim());

            var clock = Stopwatch.StartNew();
            cop.Signal(CopProcess.SigTerm);
            var code = await cop.ExitCodeAsync(TimeSpan.FromSeconds(25));
            output.WriteLine($"stopped {clock.ElapsedMilliseconds} ms after SIGTERM, exit code {code}");
            Assert.Equal(0, code);
            Assert.False(File.Exists(postmaster), $"embedded PostgreSQL left running:\n{cop.Log}");
            Assert.False(CopProcess.Alive(redis), $"embedded Redis left running:\n{cop.Log}");
            Assert.False(File.Exists(redisPid), "the Redis pid file outlived its server");
            Assert.DoesNotContain("lost its connection", cop.Log);   // the graphs ended before the database went
        }
        finally
        {
            try { Directory.Delete(home, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
