using System.Collections.Concurrent;
using System.Diagnostics;
using Cop.Persistence.Schema;
using Cop.Streams.Notifications;
using Npgsql;

namespace Cop.Persistence.Notifications;

/// <summary>
/// PostgreSQL's NOTIFY round trip, as the spec's pre-flight script measures it: NOTIFYs on the
/// preflight channel, each in its own committed transaction, timed from send to arrival on a
/// dedicated LISTEN connection.
/// </summary>
public static class NotifyPreflight
{
    public static async Task<NotifyRoundTrip> MeasureAsync(string connectionString, int events, TimeSpan maxWait)
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
        var deadline = clock.Elapsed + maxWait;
        while (received.Count < events && clock.Elapsed < deadline) await Task.Delay(10);
        stop.Cancel();
        await pump;

        return new NotifyRoundTrip(events, received.Values.ToList(), errors, sendSeconds);
    }
}
