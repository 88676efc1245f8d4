using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cop.Actors.Models;
using Cop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cop.Tests.Host.Operations;

/// <summary>A real Prometheus (Debian's binary, on loopback, its own data folder, tied to this
/// process) scraping a `cop run` that decides bars, with ops/'s rules loaded: every dashboard query
/// returns data, every alert expression evaluates and every series it names exists, and an alert
/// goes pending when its condition starts (the kill switch).</summary>
[Collection(HostCollection.Name)]
public class PrometheusTests(ITestOutputHelper output)
{
    private const string Prometheus = "/usr/bin/prometheus";

    [Fact]
    public async Task Every_panel_query_and_alert_expression_finds_its_series_in_a_real_Prometheus_scraping_cop_run()
    {
        Assert.True(File.Exists(Prometheus), "prometheus is missing: apt-get install -y prometheus (build.ps1 test installs it as root)");
        var cs = await SharedPostgres.NewDatabaseAsync("opsprom");
        await using var cop = await RunningCop.StartAsync(cs);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await Sql.ExecAsync(cs, "INSERT INTO macro_daily (fecha, fecha_available, fxrt_index_dxy_usa_d_dxy) VALUES (@d, @a, 104.2)",
            ("d", today.AddDays(-3)), ("a", today.AddDays(-2)));
        await DecideAsync(cs, 0, 20);

        var dir = Directory.CreateTempSubdirectory("cop-prometheus-").FullName;
        var port = TiedServer.FreePort();
        Process? prometheus = null;
        try
        {
            // ops/prometheus/prometheus.yml as shipped, pointed at this Cop and scraping every second.
            Directory.CreateDirectory(Path.Combine(dir, "rules"));
            File.Copy(Path.Combine(OpsConfigTests.Ops, "prometheus", "rules", "cop_alerts.yml"), Path.Combine(dir, "rules", "cop_alerts.yml"));
            var config = File.ReadAllText(Path.Combine(OpsConfigTests.Ops, "prometheus", "prometheus.yml"))
                .Replace("127.0.0.1:9464", $"127.0.0.1:{cop.Port}").Replace("15s", "1s");
            File.WriteAllText(Path.Combine(dir, "prometheus.yml"), config);
            prometheus = await TiedServer.StartAsync(Prometheus, Path.Combine(dir, "prometheus.log"),
                $"--config.file={dir}/prometheus.yml", $"--storage.tsdb.path={dir}/data", $"--web.listen-address=127.0.0.1:{port}");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await Eventually.Until(async () => await ReadyAsync(http), TimeSpan.FromSeconds(60), "Prometheus ready",
                () => File.ReadAllText(Path.Combine(dir, "prometheus.log")));

            // Bars keep coming while Prometheus scrapes, so rates and increases have something to show.
            await Eventually.Read(() => QueryAsync(http, "up{job=\"cop\"}"), r => r.Count == 1 && r[0] == "1", TimeSpan.FromSeconds(30), "Cop scraped");
            for (var batch = 1; batch <= 3; batch++)
            {
                await DecideAsync(cs, 20 * batch, 20 * (batch + 1));
                await Eventually.Read(() => QueryAsync(http, $"sum(usdcop_e2e_latency_seconds_count)"), r => r.Count == 1 && r[0] == $"{20 * (batch + 1)}",
                    TimeSpan.FromSeconds(30), $"batch {batch} scraped");
            }

            var report = new List<string>();
            foreach (var (where, expr) in OpsConfigTests.DashboardQueries())
            {
                var values = await QueryAsync(http, expr);
                report.Add($"{where}: {expr} => [{string.Join(", ", values)}]");
                Assert.True(values.Count > 0, $"{where} returns no data: {expr}");
            }

            using var rules = JsonDocument.Parse(await http.GetStringAsync("/api/v1/rules"));
            var alerts = rules.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
            Assert.Equal(OpsConfigTests.AlertNames().Order(), alerts.Select(a => a.GetProperty("name").GetString()!).Order());
            foreach (var rule in alerts)
            {
                var (name, expr) = (rule.GetProperty("name").GetString()!, rule.GetProperty("query").GetString()!);
                Assert.Equal("ok", rule.GetProperty("health").GetString());
                var now = await QueryAsync(http, expr);   // empty unless firing: the series it reads are checked one by one
                var selectors = Selectors(expr);
                Assert.NotEmpty(selectors);
                var found = new List<string>();
                foreach (var selector in selectors)
                {
                    var values = await QueryAsync(http, selector);
                    found.Add($"{selector} => [{string.Join(", ", values.Take(6))}{(values.Count > 6 ? ", ..." : "")}]");
                    Assert.True(values.Count > 0, $"alert {name} reads {selector}, which has no series");
                }
                report.Add($"alert {name} ({rule.GetProperty("state").GetString()}, now [{string.Join(", ", now)}]): {string.Join("; ", found)}");
            }
            foreach (var line in report) output.WriteLine(line);

            // An alert going pending in the real Prometheus: the operator turns the kill switch on.
            await Sql.ExecAsync(cs, "UPDATE model_registry SET kill_switch = true WHERE model_id = @m", ("m", BaselinePolicy.ModelId));
            await Eventually.Read(async () => await http.GetStringAsync("/api/v1/alerts"),
                body => body.Contains("\"alertname\":\"KillSwitchOn\"") && body.Contains($"\"model_id\":\"{BaselinePolicy.ModelId}\""),
                TimeSpan.FromSeconds(30), "KillSwitchOn pending in Prometheus");
        }
        finally
        {
            if (prometheus is { HasExited: false }) prometheus.Kill();
            prometheus?.Dispose();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static async Task DecideAsync(string cs, int from, int to)
    {
        await Sql.InsertBarsAsync(cs, from, to);
        await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n == to,
            TimeSpan.FromSeconds(60), $"{to} decisions");
    }

    private static async Task<bool> ReadyAsync(HttpClient http)
    {
        try { return (await http.GetAsync("/-/ready")).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }

    /// <summary>An instant query's values (one per series; "NaN" counts: the series exists).</summary>
    private static async Task<IReadOnlyList<string>> QueryAsync(HttpClient http, string expr)
    {
        using var response = await http.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(expr)}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{expr}: {body}");
        using var doc = JsonDocument.Parse(body);
        var data = doc.RootElement.GetProperty("data");
        var result = data.GetProperty("result");
        return data.GetProperty("resultType").GetString() == "scalar"
            ? [result[1].GetString()!]
            : [.. result.EnumerateArray().Select(s => s.GetProperty("value")[1].GetString()!)];
    }

    /// <summary>The series selectors of a PromQL expression: Cop's metric names (and `up`) with
    /// their label matchers.</summary>
    public static IReadOnlyList<string> Selectors(string expr) =>
        [.. Regex.Matches(expr, @"(?<![\w:])((?:usdcop_|cop_|dead_letter_|up\b)[\w:]*)\s*(\{[^}]*\})?")
            .Select(m => m.Groups[1].Value + m.Groups[2].Value).Distinct()];
}
