using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Cop.Tests.Infrastructure;

/// <summary>A real HTTP server on loopback that answers each request with the next queued
/// (status, body, delay), repeating the last one; it records the requests it saw.</summary>
public sealed class FixtureServer : IDisposable
{
    private HttpListener _listener = new();
    private readonly ConcurrentQueue<(int Status, string Body, TimeSpan Delay)> _answers = new();
    private (int Status, string Body, TimeSpan Delay) _last = (404, "{}", TimeSpan.Zero);

    public FixtureServer()
    {
        // A free port is probed and then bound: another test may take it in between, so retry.
        for (var attempt = 1; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUrl = $"http://127.0.0.1:{port}/";
            // A fresh listener each attempt: clearing a failed one's prefix looks the taken port up again and throws.
            _listener = new HttpListener();
            _listener.Prefixes.Add(BaseUrl);
            try { _listener.Start(); break; }
            catch (HttpListenerException) when (attempt < 5) { _listener.Close(); }
        }
        _ = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; private set; } = "";
    public ConcurrentQueue<string> Requests { get; } = new();

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public FixtureServer Answer(int status, string body, TimeSpan delay = default) { _answers.Enqueue((status, body, delay)); return this; }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            Requests.Enqueue(ctx.Request.Url!.PathAndQuery);
            if (_answers.TryDequeue(out var next)) _last = next;
            var answer = _last;
            _ = Task.Run(async () =>
            {
                try
                {
                    // Pacing on purpose (a slow upstream), not a wait for anything.
                    if (answer.Delay > TimeSpan.Zero) await Task.Delay(answer.Delay);
                    ctx.Response.StatusCode = answer.Status;
                    ctx.Response.ContentType = "application/json";
                    var bytes = System.Text.Encoding.UTF8.GetBytes(answer.Body);
                    await ctx.Response.OutputStream.WriteAsync(bytes);
                    ctx.Response.Close();
                }
                catch (Exception) { }   // the client gave up (timeout tests)
            });
        }
    }

    public void Dispose() { _listener.Stop(); _listener.Close(); }
}
