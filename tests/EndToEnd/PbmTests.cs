using System.Diagnostics;
using Akka.Configuration;
using Cop.Actors.Models;
using Cop.Host.Admin;
using Cop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>`cop pbm` (its own process) against the admin endpoint of a node running the live path.</summary>
[Collection(EndToEndCollection.Name)]
public class PbmTests(ITestOutputHelper output)
{
    private const string Model = BaselinePolicy.ModelId;

    [Fact]
    public async Task Pbm_shows_the_real_tree_streams_and_entities_kills_and_stops_actors_and_completes_interactively()
    {
        var settings = ShippedConfig.Settings();
        var cs = await SharedPostgres.NewDatabaseAsync("pbm");
        await using var path = await LivePath.StartAsync(cs, settings, new TestLogger(output), env => env with { Projections = true });
        var bars = await path.IngestAsync(maxDays: 3);
        await path.DecidedAsync(bars);
        await using var admin = await AdminEndpoint.StartAsync(() => path.System, path.App!.Runtime, new AdminSettings("http://127.0.0.1:0", ""), settings.Hocon);
        var address = new Uri(admin.Urls[0]).Authority;

        var tree = await PbmAsync(0, address, "actor", "hierarchy", "-d", "3");
        foreach (var a in new[] { "/user", "  /user/models", "    /user/models/" + Model, "  /user/bar-series", "  /user/projection-model-daily-pnl",
                     "    /user/projection-model-daily-pnl/projection", "  /user/dead-letter-retries" })
            Assert.Contains(a + "\n", tree);
        Assert.DoesNotContain($"/user/models/{Model}/model", tree);   // depth 3
        var sub = await PbmAsync(0, address, "actor", "hierarchy", "-s", "/user/models");
        Assert.Contains($"    /user/models/{Model}/model\n", sub);
        Assert.DoesNotContain("bar-series", sub);

        var account = await path.AccountAsync();
        var entity = await PbmAsync(0, address, "cop", "entity", "model", Model);
        Assert.Contains($"equity          {account.Account.Equity.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", entity);
        Assert.Contains($"decisions       {bars}", entity);
        Assert.True(account.JournalSequenceNr >= bars);
        Assert.Contains($"journal seq nr  {account.JournalSequenceNr}", entity);
        var last = await Sql.ScalarAsync<DateTime>(cs, "SELECT max(time) FROM inference_features_5m");
        Assert.Contains($"last bar        {last:yyyy-MM-dd HH:mm}Z", await PbmAsync(0, address, "cop", "entity", "bar-series", "USD/COP"));
        var streams = await PbmAsync(0, address, "cop", "streams");
        Assert.Contains("new_ohlcv_bar -> bar series: running; breaker Closed; watermark", streams);
        Assert.Contains("new_features -> models: running; breaker Closed; watermark", streams);
        Assert.Contains("projection model-daily-pnl:", streams);
        Assert.Contains(AdminCommands.NotACluster, await PbmAsync(1, address, "cluster", "show"));
        Assert.Contains("unknown command", await PbmAsync(1, address, "actor", "explode"));
        Assert.Contains("not an actor path under /user/", await PbmAsync(1, address, "actor", "kill", "/system/log1-SerilogLogger"));

        // Kill and stop: the supervisors bring the model back, with its account, and it decides on.
        Assert.Contains("killed", await PbmAsync(0, address, "actor", "kill", $"/user/models/{Model}/model"));
        await Eventually.Until(async () => (await ModelOrNull()) is { } s && s.Account == account.Account, TimeSpan.FromSeconds(30), "the killed model back with its account");
        Assert.Contains("stopped", await PbmAsync(0, address, "actor", "stop", $"/user/models/{Model}"));
        await Eventually.Until(async () => (await ModelOrNull()) is { } s && s.Account == account.Account, TimeSpan.FromSeconds(30), "the stopped model started again by its supervisor");
        var more = await path.IngestAsync(maxDays: 5);
        Assert.True(more > 50);
        await path.DecidedAsync(bars + more);

        // Interactive: each stdin line a command; a Tab asks for completions.
        var session = await InteractiveAsync(address, "help\nact\t\nactor \t\ncop entity \t\nactor hierarchy -s /user/models -d 2\ncluster show\nexit\n");
        Assert.Contains("pbm> ", session);
        Assert.Contains("actor hierarchy [-s <path>] [-d <depth>]", session);
        Assert.Contains("completions: actor\n", session);
        Assert.Contains("completions: hierarchy kill stop\n", session);
        Assert.Contains("completions: bar-series model\n", session);
        Assert.Contains($"  /user/models/{Model}\n", session);
        Assert.Contains(AdminCommands.NotACluster, session);

        async Task<DeployedModel.AccountState?> ModelOrNull()
        {
            try { return await path.AccountAsync(); }
            catch (Exception e) when (e is Akka.Actor.ActorNotFoundException or Akka.Actor.AskTimeoutException) { return null; }
        }
    }

    [Fact]
    public async Task A_non_loopback_endpoint_needs_a_token_and_requests_without_it_are_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => new AdminSettings("http://0.0.0.0:9110", "").Check());
        Assert.Contains("cop.admin.token", e.Message);
        new AdminSettings("http://0.0.0.0:9110", "s3cret").Check();
        new AdminSettings("http://127.0.0.1:9110;http://localhost:9111", "").Check();

        var settings = ShippedConfig.Settings();
        await using var app = await Cop.Host.Composition.CopApplication.StartAsync(new Cop.Host.Composition.CopEnvironment
        {
            Settings = settings, ConnectionString = await SharedPostgres.NewDatabaseAsync("pbmtoken"), ActorFamilies = false,
        }, "pbm");
        await using var admin = await AdminEndpoint.StartAsync(() => app.System, null, new AdminSettings("http://127.0.0.1:0", "s3cret"), settings.Hocon);
        var address = new Uri(admin.Urls[0]).Authority;
        Assert.Contains("needs its token", await PbmAsync(2, address, "actor", "hierarchy"));
        Assert.Contains("needs its token", await PbmAsync(2, address, "--token", "wrong", "actor", "hierarchy"));
        Assert.Contains("/user\n", await PbmAsync(0, address, "--token", "s3cret", "actor", "hierarchy"));
        Assert.Contains("no Cop admin endpoint at 127.0.0.1:1", await PbmAsync(2, "127.0.0.1:1", "cop", "streams"));
    }

    [Fact]
    public async Task Cop_run_serves_the_admin_endpoint_where_configured()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { probe.Start(); port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port; }
        var home = Directory.CreateTempSubdirectory("cop-pbm-run-").FullName;
        using var cop = CopProcess.Start(home, new Dictionary<string, string>
        {
            ["COP_DATABASE_URL"] = await SharedPostgres.NewDatabaseAsync("pbmrun"), ["COP_ADMIN_URLS"] = $"http://127.0.0.1:{port}",
        }, "run");
        Assert.True(await cop.WaitHealthyAsync(), cop.Log);
        Assert.Contains($"Admin endpoint (cop pbm) on http://127.0.0.1:{port}", cop.Log);
        var tree = await PbmAsync(0, $"127.0.0.1:{port}", "actor", "hierarchy", "-d", "2");
        foreach (var a in new[] { "/user/models", "/user/bar-series", "/user/projection-model-daily-pnl", "/user/notify-heartbeat", "/user/macro" })
            Assert.Contains(a, tree);
        cop.Signal(CopProcess.SigTerm);
        Assert.Equal(0, await cop.ExitCodeAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>`cop pbm ADDRESS args...` as its own process; asserts the exit code, returns stdout and stderr.</summary>
    private Task<string> PbmAsync(int exit, string address, params string[] args) => RunPbmAsync(exit, address, null, args);

    /// <summary>`cop pbm ADDRESS` with no command: the prompt, fed <paramref name="stdin"/>.</summary>
    private Task<string> InteractiveAsync(string address, string stdin) => RunPbmAsync(0, address, stdin, []);

    private async Task<string> RunPbmAsync(int exit, string address, string? stdin, string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "cop.dll"), "pbm", address, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        var text = (await stdout + await stderr).Replace("\r\n", "\n");
        output.WriteLine($"$ cop pbm {address} {string.Join(' ', args)}\n{text}");
        Assert.True(exit == process.ExitCode, $"exit {process.ExitCode}, expected {exit}:\n{text}");
        return text;
    }
}
