using System.Collections.Concurrent;
using System.Diagnostics;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Cop.Streams.Notifications;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>
/// The spec's pre-flight check (scripts/preflight_notify_test.py): 1,000 NOTIFYs, each in its
/// own committed transaction, must all arrive on a dedicated listener with p99 &lt; 100 ms.
/// </summary>
public static class PreflightCommand
{
    public sealed record Result(int Sent, int Received, int Errors, double P50, double P95, double P99, double Max, double SendSeconds)
    {
        public bool Passed => Received == Sent && Errors == 0 && P99 < 100;
    }

    public static async Task<int> RunAsync(CopSettings settings, int events)
    {
        if (events <= 0) throw new ArgumentException($"--events must be a positive number of events, not {events}");
        await using var services = await BackingServices.StartAsync(settings, migrate: false);
        var r = await MeasureAsync(services.ConnectionString, events);
        var table = new Table().AddColumns("figure", "value");
        table.AddRow("events sent", r.Sent.ToString());
        table.AddRow("events received", r.Received.ToString());
        table.AddRow("events lost", (r.Sent - r.Received).ToString());
        table.AddRow("errors", r.Errors.ToString());
        table.AddRow("latency p50 (ms)", r.P50.ToString("F3"));
        table.AddRow("latency p95 (ms)", r.P95.ToString("F3"));
        table.AddRow("latency p99 (ms)", r.P99.ToString("F3"));
        table.AddRow("latency max (ms)", r.Max.ToString("F3"));
        table.AddRow("send time (s)", r.SendSeconds.ToString("F2"));
        AnsiConsole.Write(new Rule("PRE-FLIGHT NOTIFY TEST"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(r.Passed
            ? "[green]PRE-FLIGHT CHECK PASSED[/]: 100 % received, p99 < 100 ms"
            : $"[red]PRE-FLIGHT CHECK FAILED[/]: {r.Sent - r.Received} lost, {r.Errors} errors, p99 {r.P99:F2} ms");
        return r.Passed ? 0 : 1;
    }

    public static async Task<Result> MeasureAsync(string connectionString, int events, TimeSpan? maxWait = null)
    {
        var channel = Channels.Name(NotifyChannel.Preflight);
        var clock = Stopwatch.StartNew();
        var received = new ConcurrentDictionary<int, double>();
        var errors = 0;

        await using var listener = new NpgsqlConnection(ConnectionStrings.Dedicated(connectionString, "cop-preflight-listener"));
        await listener.OpenAsync();
        listener.Notification += (_, n) =>
        {
            var now = clock.Elapsed.TotalMilliseconds;
            var parts = n.Payload.Split(':');
            if (parts.Length == 2 && int.TryParse(parts[0], out var id) && double.TryParse(parts[1],
                    System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var sentAt))
                received[id] = now - sentAt;
            else Interlocked.Increment(ref errors);
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {channel}", listener)) await listen.ExecuteNonQueryAsync();
        using var stop = new CancellationTokenSource();
        var pump = Task.Run(async () =>
        {
            try { while (!stop.IsCancellationRequested) await listener.WaitAsync(stop.Token); }
            catch (OperationCanceledException) { }
        });

        await using var producer = new NpgsqlConnection(ConnectionStrings.Dedicated(connectionString, "cop-preflight-producer"));
        await producer.OpenAsync();
        var sendStart = clock.Elapsed;
        for (var i = 0; i < events; i++)
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_notify(@c, @p)", producer);
            cmd.Parameters.AddWithValue("c", channel);
            cmd.Parameters.AddWithValue("p", $"{i}:{clock.Elapsed.TotalMilliseconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
            await cmd.ExecuteNonQueryAsync(); // autocommit: one transaction per event, as the spec's script
        }
        var sendSeconds = (clock.Elapsed - sendStart).TotalSeconds;
        var deadline = clock.Elapsed + (maxWait ?? TimeSpan.FromSeconds(30));
        while (received.Count < events && clock.Elapsed < deadline) await Task.Delay(10);
        stop.Cancel();
        await pump;

        var lat = received.Values.ToList();
        return new Result(events, received.Count, errors,
            Stats.Percentile(lat, 0.50), Stats.Percentile(lat, 0.95), Stats.Percentile(lat, 0.99),
            lat.Count == 0 ? double.NaN : lat.Max(), sendSeconds);
    }
}
