using System.Diagnostics;
using System.Text.RegularExpressions;
using Cop.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.Host.Operations;

/// <summary>docs/runbooks/event_driven_troubleshooting.md: every line of its `sh` blocks run, as
/// written, by bash against a `cop run` deciding bars (psql from Debian's PostgreSQL, curl, and
/// `cop` as the built binary on PATH). Each must succeed.</summary>
[Collection(HostCollection.Name)]
public class RunbookTests(ITestOutputHelper output)
{
    public static string Runbook => Path.Combine(AppContext.BaseDirectory, "docs", "runbooks", "event_driven_troubleshooting.md");

    [Fact]
    public async Task Every_command_of_the_runbook_works_against_a_running_cop()
    {
        var lines = Commands(File.ReadAllText(Runbook));
        Assert.True(lines.Count >= 20, $"only {lines.Count} commands found");
        Assert.All(lines, l => Assert.Matches(@"^(cop|psql|curl) ", l));
        foreach (var anchor in new[] { "notify-not-arriving", "high-e2e-latency", "recompute-fallback", "redis-stale", "pool-exhaustion", "macro-feed-rejected", "escalation" })
            Assert.Contains(anchor, Anchors(File.ReadAllText(Runbook)));
        // Every runbook link of the alert rules names a section that exists.
        foreach (Match m in Regex.Matches(File.ReadAllText(Path.Combine(OpsConfigTests.Ops, "prometheus", "rules", "cop_alerts.yml")), @"event_driven_troubleshooting\.md#([\w-]+)"))
            Assert.Contains(m.Groups[1].Value, Anchors(File.ReadAllText(Runbook)));

        var cs = await SharedPostgres.NewDatabaseAsync("runbook");
        await using var cop = await RunningCop.StartAsync(cs);
        await Sql.InsertBarsAsync(cs, 0, 12);
        await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n == 12,
            TimeSpan.FromSeconds(60), "12 decisions");

        var bin = Directory.CreateTempSubdirectory("cop-bin-").FullName;
        try
        {
            var wrapper = Path.Combine(bin, "cop");
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "cop.dll")}' \"$@\"\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var env = new Dictionary<string, string>
            {
                ["PGURL"] = LibpqUrl(cs),
                ["COP"] = cop.BaseUrl,
                ["COP_DATABASE_URL"] = cs,
                ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            };
            foreach (var line in lines)
            {
                var (code, text) = await BashAsync(line, env, cop.Home);
                output.WriteLine($"$ {line}\n{string.Join('\n', text.Split('\n').Take(12))}");
                Assert.True(code == 0, $"runbook line failed ({code}): {line}\n{text}");
            }
        }
        finally { Directory.Delete(bin, true); }
    }

    /// <summary>The lines of the ```sh blocks.</summary>
    public static IReadOnlyList<string> Commands(string markdown) =>
        [.. Regex.Matches(markdown, @"```sh\n(.*?)```", RegexOptions.Singleline)
            .SelectMany(m => m.Groups[1].Value.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    /// <summary>GitHub's heading anchors.</summary>
    private static IReadOnlyList<string> Anchors(string markdown) =>
        [.. Regex.Matches(markdown, @"^#+ (.+)$", RegexOptions.Multiline)
            .Select(m => Regex.Replace(Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant(), @"[^\w\- ]", ""), " ", "-"))];

    /// <summary>The test database as the libpq URL an operator gives psql.</summary>
    public static string LibpqUrl(string cs)
    {
        var b = new NpgsqlConnectionStringBuilder(cs);
        var auth = Uri.EscapeDataString(b.Username ?? "postgres") + (string.IsNullOrEmpty(b.Password) ? "" : ":" + Uri.EscapeDataString(b.Password));
        return $"postgres://{auth}@{b.Host}:{b.Port}/{b.Database}";
    }

    private static async Task<(int, string)> BashAsync(string line, IReadOnlyDictionary<string, string> env, string cwd)
    {
        var psi = new ProcessStartInfo("/bin/bash", ["-o", "pipefail", "-c", line])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd,
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout + await stderr);
    }
}
