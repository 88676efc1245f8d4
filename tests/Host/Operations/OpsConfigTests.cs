using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Cop.Tests.Host.Operations;

/// <summary>ops/: the alert rules checked and unit-tested by Debian's promtool (each alert fires on
/// the series that should fire it and stays silent on healthy ones), prometheus.yml checked, and the
/// Grafana dashboard read as Grafana's file provisioning reads it (Grafana is not installable here).</summary>
public class OpsConfigTests(ITestOutputHelper output)
{
    public static string Ops => Path.Combine(AppContext.BaseDirectory, "ops");
    private static string Rules => Path.Combine(Ops, "prometheus", "rules", "cop_alerts.yml");

    [Fact]
    public void Promtool_checks_the_rules_and_the_scrape_configuration()
    {
        var (code, text) = Promtool("check", "rules", Rules);
        Assert.True(code == 0, text);
        Assert.Contains("SUCCESS: 14 rules found", text);
        (code, text) = Promtool("check", "config", Path.Combine(Ops, "prometheus", "prometheus.yml"));
        Assert.True(code == 0, text);
    }

    [Fact]
    public void Promtool_unit_tests_fire_and_stay_silent_as_written_for_every_alert()
    {
        var tests = Path.Combine(Ops, "prometheus", "tests", "cop_alerts_test.yml");
        var (code, text) = Promtool("test", "rules", tests);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        // At least one firing and one silent case per alert.
        var body = File.ReadAllText(tests);
        foreach (var alert in AlertNames())
        {
            var cases = Regex.Matches(body, $@"alertname: {alert}\n\s+exp_alerts:(?<what> \[\]|\n)").Select(m => m.Groups["what"].Value).ToList();
            Assert.True(cases.Contains(" []"), $"{alert} has no silent case");
            Assert.True(cases.Contains("\n"), $"{alert} has no firing case");
        }
    }

    [Fact]
    public void The_unit_tests_catch_the_spec_wording_that_could_never_fire()
    {
        // The spec's FeastUsingBuilder looks for source="builder"; Cop says recompute. Written the
        // spec's way, the promtool tests must fail (they are not tests that cannot fail).
        var dir = Directory.CreateTempSubdirectory("cop-rules-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "rules"));
            Directory.CreateDirectory(Path.Combine(dir, "tests"));
            File.WriteAllText(Path.Combine(dir, "rules", "cop_alerts.yml"),
                File.ReadAllText(Rules).Replace("usdcop_feast_requests_total{source=\"recompute\"}", "usdcop_feast_requests_total{source=\"builder\"}"));
            File.Copy(Path.Combine(Ops, "prometheus", "tests", "cop_alerts_test.yml"), Path.Combine(dir, "tests", "t.yml"));
            var (code, text) = Promtool("test", "rules", Path.Combine(dir, "tests", "t.yml"));
            Assert.NotEqual(0, code);
            Assert.Contains("alertname: FeastUsingBuilder", text);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_dashboard_loads_as_grafana_file_provisioning_expects()
    {
        var datasourceYaml = File.ReadAllText(Path.Combine(Ops, "grafana", "provisioning", "datasources", "prometheus.yml"));
        var datasourceUid = Regex.Match(datasourceYaml, @"^\s+uid:\s*(\S+)$", RegexOptions.Multiline).Groups[1].Value;
        Assert.Equal("cop-prometheus", datasourceUid);
        Assert.Matches(@"type:\s*prometheus", datasourceYaml);
        var providers = File.ReadAllText(Path.Combine(Ops, "grafana", "provisioning", "dashboards", "cop.yml"));
        Assert.Matches(@"apiVersion:\s*1", providers);
        Assert.Matches(@"type:\s*file", providers);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Ops, "grafana", "dashboards", "event_driven_v7.json")));
        var d = doc.RootElement;
        Assert.Equal("cop-event-driven-v7", d.GetProperty("uid").GetString());   // stable: links and provisioning find it
        Assert.False(string.IsNullOrWhiteSpace(d.GetProperty("title").GetString()));
        Assert.True(d.GetProperty("schemaVersion").GetInt32() >= 30);
        var panels = d.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        var types = new HashSet<string> { "timeseries", "stat", "piechart", "state-timeline", "gauge", "table", "bargauge" };
        foreach (var p in panels)
        {
            var title = p.GetProperty("title").GetString();
            Assert.Contains(p.GetProperty("type").GetString()!, types);
            var grid = p.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            Assert.True(grid.GetProperty("h").GetInt32() > 0, title);
            Assert.Equal(datasourceUid, p.GetProperty("datasource").GetProperty("uid").GetString());
            var targets = p.GetProperty("targets").EnumerateArray().ToList();
            Assert.True(targets.Count > 0, $"panel {title} has no target");
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
            foreach (var t in targets)
            {
                Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString()), title);
                Assert.Equal(datasourceUid, t.GetProperty("datasource").GetProperty("uid").GetString());
            }
        }
        // The spec's panels and the issue's.
        var titles = panels.Select(p => p.GetProperty("title").GetString()!).ToList();
        foreach (var wanted in new[] { "Latencia End-to-End", "Events per minute", "Feature service sources", "Redis vs PostgreSQL latency",
                     "NOTIFY heartbeat", "Circuit breaker", "Event timeline", "Decisions per model", "Paper equity per model",
                     "NOTIFY Latencia", "Market Hours Status", "Data Freshness" })
            Assert.Contains(titles, t => t.StartsWith(wanted));
    }

    public static IReadOnlyList<string> AlertNames() =>
        Regex.Matches(File.ReadAllText(Rules), @"^\s+- alert: (\S+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Every panel's and every alert's PromQL (for the real-Prometheus test).</summary>
    public static IReadOnlyList<(string Where, string Expr)> DashboardQueries()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Ops, "grafana", "dashboards", "event_driven_v7.json")));
        return [.. doc.RootElement.GetProperty("panels").EnumerateArray().SelectMany(p => p.GetProperty("targets").EnumerateArray()
            .Select(t => ($"panel '{p.GetProperty("title").GetString()}' {t.GetProperty("refId").GetString()}", t.GetProperty("expr").GetString()!)))];
    }

    public static (int Code, string Output) Promtool(params string[] args)
    {
        var promtool = File.Exists("/usr/bin/promtool") ? "/usr/bin/promtool"
            : throw new InvalidOperationException("promtool is missing: apt-get install -y prometheus (build.ps1 test installs it as root)");
        var start = new ProcessStartInfo(promtool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }
}
