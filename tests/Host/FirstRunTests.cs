using System.Diagnostics;
using Cop.Persistence.Servers;
using Cop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cop.Tests.Host;

/// <summary>
/// The first run as a newcomer makes it: a checkout in a private folder (as /root is), a `cop`
/// that was SIGKILLed, a machine that cannot host the embedded servers. PostgreSQL runs as the
/// `postgres` user when Cop runs as root, so these cases only exist as root (as CI and the README's
/// commands run); as another user the relocation tests have nothing to show and return.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class FirstRunTests(ITestOutputHelper output)
{
    private static readonly string PgBin = EmbeddedPostgres.LocateBinaries();

    private static string NewFolder(string name, UnixFileMode? mode = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"cop-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        if (mode is { } m) File.SetUnixFileMode(dir, m);
        return dir;
    }

    private static void Remove(params string[] dirs)
    {
        foreach (var d in dirs)
            try { Directory.Delete(d, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task A_cluster_asked_for_inside_a_private_root_folder_lives_where_postgres_can_enter_and_the_next_start_reuses_it()
    {
        if (Environment.UserName != "root") return;
        var checkoutParent = NewFolder("private", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var fallback = NewFolder("fallback");
        var requested = Path.Combine(checkoutParent, "main", ".cop", "postgres");
        var options = new EmbeddedPostgresOptions { DataDirectory = requested, Durable = false, FallbackRoot = fallback };
        try
        {
            string home;
            await using (var pg = await EmbeddedPostgres.StartAsync(options))
            {
                home = pg.DataDirectory;
                output.WriteLine($"{pg.RequestedDirectory} -> {home}: {pg.RelocatedBecause}");
                Assert.StartsWith(fallback, home);
                Assert.Equal(requested, pg.RequestedDirectory);
                Assert.Contains(checkoutParent, pg.RelocatedBecause);
                Assert.Equal(home, File.ReadLines(Path.Combine(requested, EmbeddedPostgres.LocationFile)).First());
                await Sql.ExecAsync(pg.ConnectionString, "CREATE TABLE kept AS SELECT 42 AS answer");
            }
            await using (var again = await EmbeddedPostgres.StartAsync(options))
            {
                Assert.Equal(home, again.DataDirectory);
                Assert.Equal(42, await Sql.ScalarAsync<int>(again.ConnectionString, "SELECT answer FROM kept"));
            }
        }
        finally { Remove(checkoutParent, fallback); }
    }

    [Fact]
    public async Task A_folder_postgres_can_enter_is_used_as_it_is()
    {
        var dir = NewFolder("open");
        try
        {
            await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = Path.Combine(dir, "postgres"), Durable = false });
            Assert.Equal(Path.Combine(dir, "postgres"), pg.DataDirectory);
            Assert.Null(pg.RelocatedBecause);
            Assert.False(File.Exists(Path.Combine(dir, "postgres", EmbeddedPostgres.LocationFile)));
        }
        finally { Remove(dir); }
    }

    [Fact]
    public async Task Sigkill_of_cop_run_leaves_no_embedded_server_behind_and_the_next_run_starts_cleanly()
    {
        var home = NewFolder("kill");
        var env = new Dictionary<string, string> { ["COP_PG_DATA"] = Path.Combine(home, "postgres") };
        try
        {
            int postmaster, redis;
            using (var first = CopProcess.Start(home, env, "run"))
            {
                Assert.True(await first.WaitHealthyAsync(), $"cop run never reported healthy:\n{first.Log}");
                postmaster = int.Parse(File.ReadLines(Path.Combine(home, "postgres", "data", "postmaster.pid")).First());
                redis = int.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(home, ".cop", "redis"), "redis-*.pid").Single()).Trim());
                first.Signal(CopProcess.SigKill);
                await first.ExitCodeAsync(TimeSpan.FromSeconds(10));
            }
            var clock = Stopwatch.StartNew();
            await Eventually.Until(() => !CopProcess.Alive(postmaster) && !CopProcess.Alive(redis), TimeSpan.FromSeconds(30),
                "the embedded servers to go after the SIGKILLed cop", () => $"PostgreSQL alive {CopProcess.Alive(postmaster)}, Redis alive {CopProcess.Alive(redis)}");
            output.WriteLine($"servers gone {clock.ElapsedMilliseconds} ms after SIGKILL");
            Assert.False(CopProcess.Alive(postmaster), "the embedded PostgreSQL outlived the SIGKILLed cop");
            Assert.False(CopProcess.Alive(redis), "the embedded Redis outlived the SIGKILLed cop");

            using var second = CopProcess.Start(home, env, "run");
            Assert.True(await second.WaitHealthyAsync(), $"the next cop run never reported healthy:\n{second.Log}");
            Assert.Single(Directory.GetFiles(Path.Combine(home, ".cop", "redis"), "redis-*.pid"));
            second.Signal(CopProcess.SigTerm);
            Assert.Equal(0, await second.ExitCodeAsync(TimeSpan.FromSeconds(25)));
            Assert.Empty(Directory.GetFiles(Path.Combine(home, ".cop", "redis"), "redis-*.pid"));
        }
        finally { Remove(home); }
    }

    [Fact]
    public async Task Servers_left_running_by_an_older_cop_whose_owner_is_gone_are_stopped_by_the_next_start()
    {
        var dir = NewFolder("orphan");
        var data = Path.Combine(dir, "postgres");
        var redisDir = Path.Combine(dir, "redis");
        try
        {
            // An initialised cluster, then started the way Cop used to: pg_ctl's daemon, no owner.
            await (await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = data, Durable = false })).DisposeAsync();
            File.Delete(Path.Combine(data, "owner"));
            var port = FreePort();
            var runAs = Environment.UserName == "root" ? new[] { "runuser", "-u", "postgres", "--" } : [];
            Assert.Equal(0, await RunAsync([.. runAs, Path.Combine(PgBin, "pg_ctl"), "-D", Path.Combine(data, "data"), "-l", Path.Combine(data, "orphan.log"),
                "-o", $"-p {port} -c listen_addresses=127.0.0.1 -k {Path.Combine(data, "run")}", "-w", "start"]));
            var orphanPg = int.Parse(File.ReadLines(Path.Combine(data, "data", "postmaster.pid")).First());
            Directory.CreateDirectory(redisDir);
            var redisPort = FreePort();
            Assert.Equal(0, await RunAsync([EmbeddedRedis.LocateBinary(), "--port", redisPort.ToString(), "--bind", "127.0.0.1", "--daemonize", "yes",
                "--pidfile", Path.Combine(redisDir, "redis.pid"), "--save", "", "--logfile", Path.Combine(redisDir, "orphan.log")]));
            var orphanRedis = await WaitForPidFileAsync(Path.Combine(redisDir, "redis.pid"));

            await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = data, Durable = false });
            await using var redis = await EmbeddedRedis.StartAsync(redisDir);
            Assert.False(CopProcess.Alive(orphanPg), "the orphaned PostgreSQL is still running");
            Assert.False(CopProcess.Alive(orphanRedis), "the orphaned Redis is still running");
            Assert.Equal(1, await Sql.ScalarAsync<int>(pg.ConnectionString, "SELECT 1"));
            Assert.NotEqual(orphanPg, int.Parse(File.ReadLines(Path.Combine(data, "data", "postmaster.pid")).First()));
        }
        finally { Remove(dir); }
    }

    [Fact]
    public async Task No_service_user_to_run_postgres_as_is_one_line_saying_how_to_fix_it()
    {
        if (Environment.UserName != "root") return;
        var dir = NewFolder("nouser");
        try
        {
            var e = await Assert.ThrowsAsync<EmbeddedServerException>(() =>
                EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = Path.Combine(dir, "pg"), ServiceUser = "cop-no-such-user" }));
            Assert.Contains("no 'cop-no-such-user' user", e.Message);
            Assert.Contains("useradd", e.Message);
            Assert.Contains("COP_DATABASE_URL", e.Message);
        }
        finally { Remove(dir); }
    }

    [Fact]
    public async Task A_read_only_data_folder_ends_cop_with_one_line_and_a_non_zero_exit()
    {
        var dir = NewFolder("ro");
        var mounted = Environment.UserName == "root" && await RunAsync(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", dir]) == 0;
        var target = mounted ? Path.Combine(dir, ".cop", "postgres") : "/sys/cop-read-only/postgres";
        try
        {
            using var cop = CopProcess.Start(Path.GetTempPath(), new Dictionary<string, string> { ["COP_PG_DATA"] = target }, "migrate");
            var code = await cop.ExitCodeAsync(TimeSpan.FromSeconds(60));
            output.WriteLine(cop.Log);
            Assert.Equal(2, code);
            var lines = cop.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var fatal = Assert.Single(lines, l => l.Contains("FTL"));
            Assert.Contains($"cannot create the embedded PostgreSQL's folder {target}", fatal);
            Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at "));
        }
        finally
        {
            if (mounted) await RunAsync(["umount", dir]);
            Remove(dir);
        }
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task<int> RunAsync(string[] command)
    {
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        await Task.WhenAll(p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync(), p.WaitForExitAsync());
        return p.ExitCode;
    }

    private static async Task<int> WaitForPidFileAsync(string file)
    {
        var pid = 0;
        await Eventually.Until(async () => File.Exists(file) && int.TryParse((await File.ReadAllTextAsync(file)).Trim(), out pid),
            TimeSpan.FromSeconds(15), $"{file} to appear");
        return pid;
    }
}
