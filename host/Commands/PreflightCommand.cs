using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Notifications;
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
        var r = await NotifyPreflight.MeasureAsync(connectionString, events, maxWait ?? TimeSpan.FromSeconds(30));
        var lat = r.LatenciesMs;
        return new Result(r.Sent, lat.Count, r.Errors,
            Stats.Percentile(lat, 0.50), Stats.Percentile(lat, 0.95), Stats.Percentile(lat, 0.99),
            lat.Count == 0 ? double.NaN : lat.Max(), r.SendSeconds);
    }
}
