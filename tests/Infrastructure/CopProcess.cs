using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Cop.Tests.Infrastructure;

/// <summary>The built `cop` as an operator runs it: its own process in a folder of its own, output
/// collected, HTTP on a free loopback port.</summary>
public sealed class CopProcess : IDisposable
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public const int SigKill = 9, SigTerm = 15;

    private readonly System.Text.StringBuilder _log = new();

    private CopProcess(Process process, int httpPort) { Process = process; HttpPort = httpPort; }

    public Process Process { get; }
    public int HttpPort { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static CopProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { probe.Start(); port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port; }
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "cop.dll"), .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The admin endpoint (cop pbm) on a free port too: 9110 may be another Cop's.
            Environment = { ["COP_HTTP_URLS"] = $"http://127.0.0.1:{port}", ["COP_ADMIN_URLS"] = "http://127.0.0.1:0" },
        };
        // Settings an operator's shell may carry never reach a test's cop unless the test gives them.
        foreach (var inherited in new[] { "COP_CONFIG", "COP_OBJECT_STORE", "COP_OBJECTS_DIR" }) start.Environment.Remove(inherited);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var cop = new CopProcess(Process.Start(start)!, port);
        cop.Process.OutputDataReceived += (_, e) => { lock (cop._log) cop._log.AppendLine(e.Data); };
        cop.Process.ErrorDataReceived += (_, e) => { lock (cop._log) cop._log.AppendLine(e.Data); };
        cop.Process.BeginOutputReadLine();
        cop.Process.BeginErrorReadLine();
        return cop;
    }

    /// <summary>Waits for /health to answer 2xx (false if the process exits or 90 s pass).</summary>
    public async Task<bool> WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var healthy = false;
        try
        {
            await Eventually.Until(async () => Process.HasExited || (healthy = await AnswersAsync()), TimeSpan.FromSeconds(90), "/health");
        }
        catch (TimeoutException) { }
        return healthy;

        async Task<bool> AnswersAsync()
        {
            try { return (await http.GetAsync($"http://127.0.0.1:{HttpPort}/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }
    }

    public void Signal(int signal) => Assert.Equal(0, kill(Process.Id, signal));

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        try { await Process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { Assert.Fail($"cop {string.Join(' ', Process.StartInfo.ArgumentList.Skip(1))} still running after {within}:\n{Log}"); }
        Process.WaitForExit(); // flushes the redirected output
        return Process.ExitCode;
    }

    /// <summary>What a one-shot command printed and returned.</summary>
    public sealed record Result(int ExitCode, string Output)
    {
        /// <summary>The fatal line(s) the user sees.</summary>
        public string Fatal => string.Join("\n", Output.Split('\n').Where(l => l.Contains(" FTL]")));
    }

    /// <summary>Runs a one-shot command against <paramref name="database"/> from <paramref name="workingDirectory"/>
    /// (COLUMNS 200), writes what it printed to the test's output, and asserts it ended by itself within
    /// two minutes without printing a stack trace.</summary>
    public static async Task<Result> RunAsync(string workingDirectory, string database, string[] args, ITestOutputHelper output,
        params (string Name, string Value)[] env)
    {
        var environment = new Dictionary<string, string> { ["COP_DATABASE_URL"] = database, ["COLUMNS"] = "200" };
        foreach (var (name, value) in env) environment[name] = value;
        using var cop = Start(workingDirectory, environment, args);
        var code = await cop.ExitCodeAsync(TimeSpan.FromSeconds(120));
        var text = cop.Log;
        output.WriteLine($"$ cop {string.Join(' ', args)} -> {code}\n{text}");
        Assert.DoesNotContain("   at ", text);
        return new Result(code, text);
    }

    public static bool Alive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
