using System.Diagnostics;

namespace Cop.Persistence.Servers;

/// <summary>Runs server binaries, dropping from root to a service user when needed
/// (postgres refuses to run as root).</summary>
internal static class ProcessRunner
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
}
