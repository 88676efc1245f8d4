using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Cop.Persistence.Servers;

/// <summary>Why an embedded server cannot be used, in one line a user can act on.</summary>
public sealed class EmbeddedServerException(string message) : InvalidOperationException(message);

/// <summary>Runs server binaries, dropping from root to a service user when needed
/// (postgres refuses to run as root).</summary>
public static class ProcessRunner
{
    public static bool IsRoot => Environment.UserName == "root";

    public static async Task<(int ExitCode, string Output)> RunAsync(
        string file, IEnumerable<string> args, string? runAsUser = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAsUser is not null && IsRoot)
        {
            // runuser keeps our environment minimal and needs no password.
            psi.FileName = "runuser";
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(runAsUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }
        else
        {
            psi.FileName = file;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(true); } catch { /* already gone */ }
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        return (p.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>
    /// Starts a server that cannot outlive this process: setpriv sets the kernel's parent-death
    /// signal (after dropping to <paramref name="runAsUser"/>, since a change of credentials clears
    /// it) and execs the server in place, so the server is our direct child and gets
    /// <paramref name="deathSignal"/> when we exit, crash or are SIGKILLed. Output goes to
    /// <paramref name="logFile"/>, stdin is /dev/null.
    /// </summary>
    public static Task<Process> StartTiedAsync(string file, IEnumerable<string> args, string logFile, string deathSignal, string? runAsUser = null)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1", "cop-server", logFile, "setpriv" })
            psi.ArgumentList.Add(a);
        if (runAsUser is not null && IsRoot)
            foreach (var a in new[] { "--reuid", runAsUser, "--regid", runAsUser, "--init-groups" }) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "--pdeathsig", deathSignal, "--", file }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return ChildSpawner.StartAsync(psi);
    }

    public static int FreeLoopbackPort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Gives a service user ownership of a folder it must write to.</summary>
    public static async Task ChownAsync(string path, string user)
    {
        if (!IsRoot) return;
        var (code, output) = await RunAsync("chown", ["-R", $"{user}:{user}", path]);
        if (code != 0) throw new InvalidOperationException($"chown {path} to {user} failed: {output}");
    }

    /// <summary>Whether an OS user exists (getent, so NSS users count too).</summary>
    public static async Task<bool> UserExistsAsync(string user) => (await RunAsync("getent", ["passwd", user])).ExitCode == 0;

    /// <summary>Whether <paramref name="user"/> can enter <paramref name="directory"/> (search permission on it
    /// and on every folder above it).</summary>
    public static async Task<bool> CanEnterAsync(string directory, string user) =>
        !IsRoot || (await RunAsync("test", ["-x", directory], user)).ExitCode == 0;

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    /// <summary>Whether a process with this id exists (signal 0 probes without signalling).</summary>
    public static bool Alive(int pid) => pid > 0 && (SysKill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: exists */);

    /// <summary>
    /// Forks every tied child from one thread that lives as long as the process: Linux sends the
    /// parent-death signal when the *thread* that forked the child ends, and a thread-pool thread
    /// that retires would otherwise take its servers with it.
    /// </summary>
    private static class ChildSpawner
    {
        private static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Done)> Queue = new();

        static ChildSpawner()
        {
            new Thread(() =>
            {
                foreach (var (start, done) in Queue.GetConsumingEnumerable())
                {
                    try { done.SetResult(Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}")); }
                    catch (Exception e) { done.SetException(e); }
                }
            }) { IsBackground = true, Name = "cop-server-spawner" }.Start();
        }

        public static Task<Process> StartAsync(ProcessStartInfo start)
        {
            var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
            Queue.Add((start, done));
            return done.Task;
        }
    }
}

/// <summary>
/// Which Cop process started a server in a folder: its pid and start time (a reused pid is not the
/// owner). A server whose owner is gone is an orphan, left by a version that did not tie servers to
/// their process or started by hand: the next start stops it instead of running beside it.
/// </summary>
internal static class ServerOwner
{
    public static void Record(string file)
    {
        using var self = Process.GetCurrentProcess();
        File.WriteAllText(file, $"{Environment.ProcessId} {self.StartTime.ToUniversalTime().Ticks}\n");
    }

    /// <summary>True when the recorded owner is this process or another live one.</summary>
    public static bool IsAlive(string file)
    {
        try
        {
            var parts = File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], out var pid) || !long.TryParse(parts[1], out var ticks)) return false;
            if (!ProcessRunner.Alive(pid)) return false;
            using var p = Process.GetProcessById(pid);
            return p.StartTime.ToUniversalTime().Ticks == ticks;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
