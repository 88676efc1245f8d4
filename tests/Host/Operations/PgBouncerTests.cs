using System.Diagnostics;
using Cop.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.Host.Operations;

/// <summary>`cop run` with its pooled connections through Debian's PgBouncer in transaction mode
/// and its LISTEN connections (and the role-bound feature writer) direct: the live path decides
/// every bar exactly once.</summary>
[Collection(HostCollection.Name)]
public class PgBouncerTests(ITestOutputHelper output)
{
    private const string Binary = "/usr/sbin/pgbouncer";

    [Fact]
    public async Task Through_pgbouncer_in_transaction_mode_the_live_path_decides_each_bar_exactly_once()
    {
        Assert.True(File.Exists(Binary), "pgbouncer is missing: apt-get install -y pgbouncer (build.ps1 test installs it as root)");
        var cs = await SharedPostgres.NewDatabaseAsync("bouncer");
        var direct = new NpgsqlConnectionStringBuilder(cs);
        var dir = Directory.CreateTempSubdirectory("cop-pgbouncer-").FullName;
        var port = TiedServer.FreePort();
        Process? bouncer = null;
        try
        {
            File.WriteAllText(Path.Combine(dir, "userlist.txt"), $"\"{direct.Username}\" \"\"\n");
            File.WriteAllText(Path.Combine(dir, "pgbouncer.ini"), $"""
                [databases]
                * = host={direct.Host} port={direct.Port}
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = {port}
                unix_socket_dir =
                auth_type = trust
                auth_file = {dir}/userlist.txt
                admin_users = {direct.Username}
                pool_mode = transaction
                default_pool_size = 10
                max_client_conn = 200
                ignore_startup_parameters = extra_float_digits
                logfile = {dir}/pgbouncer.log
                pidfile = {dir}/pgbouncer.pid
                """);
            foreach (var f in Directory.GetFiles(dir)) if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(f, (UnixFileMode)0b110_110_110);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
            // PgBouncer refuses to run as root: it drops to the postgres user (-u) then.
            string[] args = Environment.UserName == "root" ? ["-u", "postgres", $"{dir}/pgbouncer.ini"] : [$"{dir}/pgbouncer.ini"];
            bouncer = await TiedServer.StartAsync(Binary, Path.Combine(dir, "stdout.log"), args);
            var pooled = new NpgsqlConnectionStringBuilder(cs) { Port = port }.ConnectionString;
            await Eventually.Until(async () =>
            {
                try { return await Sql.ScalarAsync<int>(pooled, "SELECT 1") == 1; }
                catch (NpgsqlException) { return false; }
            }, TimeSpan.FromSeconds(60), "PgBouncer answering", () => string.Join("\n", new[] { "pgbouncer.log", "stdout.log" }
                .Select(f => Path.Combine(dir, f)).Where(File.Exists).Select(File.ReadAllText)) + $" (exited: {bouncer.HasExited})");

            await using var cop = await RunningCop.StartAsync(pooled, new Dictionary<string, string> { ["COP_LISTEN_DATABASE_URL"] = cs });
            const int bars = 60;
            for (var k = 0; k < 3; k++)   // three batches, live: NOTIFY after each INSERT
            {
                await Sql.InsertBarsAsync(cs, k * bars / 3, (k + 1) * bars / 3);
                await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n == (k + 1) * bars / 3,
                    TimeSpan.FromSeconds(60), $"{(k + 1) * bars / 3} decisions through PgBouncer");
            }
            await Negative.For(TimeSpan.FromSeconds(2), "a bar decided twice");
            Assert.Equal(bars, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"));
            Assert.Equal(bars, await Sql.ScalarAsync<long>(cs, "SELECT count(DISTINCT bar_time) FROM trading.model_inferences"));
            Assert.Equal(bars, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM inference_features_5m"));
            var metrics = await cop.MetricsAsync();
            Assert.True(RunningCop.Value(metrics, "usdcop_notify_events_total", "channel=\"new_ohlcv_bar\",status=\"success\"") > 0, "bars came by NOTIFY");

            // Who is connected where: the LISTEN sessions straight to PostgreSQL, the pools via PgBouncer.
            var database = direct.Database!;
            var listeners = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM pg_stat_activity WHERE datname = @d AND application_name LIKE 'cop-listen-%'", ("d", database));
            Assert.Equal(2L, listeners);
            var clients = await PsqlAsync(port, direct.Username!, "SHOW CLIENTS");
            output.WriteLine(clients);
            foreach (var pool in new[] { "cop-trading", "cop-journal", "cop-service" }) Assert.Contains(pool, clients);
            Assert.DoesNotContain("cop-listen-", clients);
            Assert.Equal(200, (await cop.HealthAsync()).Status);
        }
        finally
        {
            if (bouncer is { HasExited: false }) bouncer.Kill();
            bouncer?.Dispose();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static async Task<string> PsqlAsync(int port, string user, string command)
    {
        var psi = new ProcessStartInfo("psql", ["-h", "127.0.0.1", "-p", port.ToString(), "-U", user, "-d", "pgbouncer", "-c", command])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var text = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return text;
    }
}
