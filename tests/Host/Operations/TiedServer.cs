using System.Collections.Concurrent;
using System.Diagnostics;

namespace Cop.Tests.Host.Operations;

/// <summary>A server (Prometheus, PgBouncer) that cannot outlive the test run: setpriv sets the
/// kernel's parent-death signal and execs it in place. The signal fires when the spawning THREAD
/// ends, so every child is spawned from one long-lived thread (as Cop's ProcessRunner does), not
/// from a thread-pool thread that may end while the server should still run.</summary>
public static class TiedServer
{
    private static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Done)> Queue = new();

    static TiedServer()
    {
        new Thread(() =>
        {
            foreach (var (start, done) in Queue.GetConsumingEnumerable())
            {
                try { done.SetResult(Process.Start(start)!); }
                catch (Exception e) { done.SetException(e); }
            }
        }) { IsBackground = true, Name = "cop-test-server-spawner" }.Start();
    }

    public static Task<Process> StartAsync(string file, string log, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1", "cop-test-server", log, "setpriv", "--pdeathsig", "KILL", "--", file })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((psi, done));
        return done.Task;
    }

    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
