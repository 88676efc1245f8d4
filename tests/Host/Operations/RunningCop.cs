using System.Globalization;
using System.Text.RegularExpressions;
using Cop.Tests.Infrastructure;

namespace Cop.Tests.Host.Operations;

/// <summary>`cop run` as an operator runs it, on a test database of the shared cluster: its own
/// process and folder, the baseline model registered through `cop models baseline`, HTTP on a free
/// loopback port. Scrapes /metrics and reads /health.</summary>
public sealed class RunningCop : IAsyncDisposable
{
    private readonly CopProcess _cop;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly bool _ownsHome;

    private RunningCop(CopProcess cop, string home, string cs, IReadOnlyDictionary<string, string> env, bool ownsHome) =>
        (_cop, Home, Cs, Environment, _ownsHome) = (cop, home, cs, env, ownsHome);

    public string Home { get; }
    public string Cs { get; }
    public IReadOnlyDictionary<string, string> Environment { get; }
    public int Port => _cop.HttpPort;
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string Log => _cop.Log;
    public CopProcess Process => _cop;

    public static async Task<RunningCop> StartAsync(string cs, IReadOnlyDictionary<string, string>? extra = null, bool baseline = true, string? home = null)
    {
        var ownsHome = home is null;   // a caller's folder outlives this run (the next start uses it)
        home ??= Path.Combine(Path.GetTempPath(), $"cop-ops-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        // Sampled every second here (15 s in cop.conf), so a test sees a change without waiting long.
        var conf = Path.Combine(home, "test.conf");
        await File.WriteAllTextAsync(conf, "cop.operations.sample-interval = 1s\ncop.notify.heartbeat-interval = 1s\n");
        var env = new Dictionary<string, string> { ["COP_DATABASE_URL"] = cs, ["COP_CONFIG"] = conf };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;
        if (baseline)
        {
            var (code, output) = await RunAsync(home, env, "models", "baseline");
            Assert.True(code == 0, $"cop models baseline failed ({code}):\n{output}");
        }
        var cop = CopProcess.Start(home, env, "run");
        var running = new RunningCop(cop, home, cs, env, ownsHome);
        if (!await cop.WaitHealthyAsync())
        {
            await running.DisposeAsync();
            Assert.Fail($"cop run never answered /health with 200:\n{cop.Log}");
        }
        return running;
    }

    /// <summary>Runs a `cop` command to its end; its exit code and output.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string home, IReadOnlyDictionary<string, string> env, params string[] args)
    {
        using var p = CopProcess.Start(home, env, args);
        var code = await p.ExitCodeAsync(TimeSpan.FromSeconds(120));
        return (code, p.Log);
    }

    public Task<(int Code, string Output)> CommandAsync(params string[] args) => RunAsync(Home, Environment, args);

    public async Task<string> MetricsAsync() => await _http.GetStringAsync($"{BaseUrl}/metrics");

    public async Task<(int Status, string Body)> HealthAsync()
    {
        using var r = await _http.GetAsync($"{BaseUrl}/health");
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>The value of one series in a Prometheus text exposition (null when absent).
    /// <paramref name="labels"/> is the exact label set as exported, e.g. <c>model_id="x"</c>.</summary>
    public static double? Value(string exposition, string name, string labels = "")
    {
        var pattern = labels.Length == 0 ? $@"^{Regex.Escape(name)} (\S+)$" : $@"^{Regex.Escape(name)}\{{{Regex.Escape(labels)}\}} (\S+)$";
        var m = Regex.Match(exposition, pattern, RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Stops `cop run` with SIGTERM (as systemd does) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        _cop.Signal(CopProcess.SigTerm);
        return await _cop.ExitCodeAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_cop.Process.HasExited)
        {
            _cop.Signal(CopProcess.SigTerm);
            try { await _cop.ExitCodeAsync(TimeSpan.FromSeconds(30)); } catch (Exception) { /* killed below */ }
        }
        _cop.Dispose();
        _http.Dispose();
        if (_ownsHome)
            try { Directory.Delete(Home, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
