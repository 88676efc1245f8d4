using System.CommandLine;
using System.Globalization;
using Cop.Host.Application;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Npgsql;
using Serilog;

namespace Cop.Host.Commands;

/// <summary>`cop load --bars N --rate R` and `cop chaos --seed S --duration D [--admin host:port]`.</summary>
public static class LoadChaosCommand
{
    public static IEnumerable<Command> Build(Func<Func<Task<int>>, Task<int>> guard)
    {
        var load = new Command("load", "Feed real bundled bars, re-timed onto the latest session slots, through validation and INSERT at a bounded rate; stops after the last.");
        var bars = new Option<int>("--bars") { Description = "How many bars.", Required = true };
        var rate = new Option<double>("--rate") { Description = "At most this many bars per second.", Required = true };
        var file = new Option<string>("--file") { Description = "Bar file (csv or csv.gz).", DefaultValueFactory = _ => BundledData.DefaultBarFile() };
        var end = new Option<string?>("--end") { Description = "The slots end at this time (ISO 8601; default: now)." };
        foreach (var o in new Option[] { bars, rate, file, end }) load.Options.Add(o);
        load.SetAction((pr, ct) => guard(() => LoadAsync(CopSettings.Load(), pr.GetValue(bars), pr.GetValue(rate), pr.GetValue(file)!,
            ReplayCommand.ParseTime(pr.GetValue(end)) ?? DateTime.UtcNow, ct)));

        var chaos = new Command("chaos", "Against a running Cop: kill random entity and supervisor actors (admin endpoint), terminate the backends of its listening sessions, at seeded random times; stops after --duration.");
        var seed = new Option<int>("--seed") { Description = "The random seed (the same seed, the same choices).", Required = true };
        var duration = new Option<string>("--duration") { Description = "How long, e.g. 30s or 5m.", Required = true };
        var admin = new Option<string>("--admin") { Description = "The node's admin endpoint host:port.", DefaultValueFactory = _ => "127.0.0.1:9110" };
        var token = new Option<string?>("--token") { Description = "The admin token (default: COP_ADMIN_TOKEN)." };
        foreach (var o in new Option[] { seed, duration, admin, token }) chaos.Options.Add(o);
        chaos.SetAction((pr, ct) => guard(() => ChaosAsync(CopSettings.Load(), pr.GetValue(seed), Duration(pr.GetValue(duration)!), pr.GetValue(admin)!,
            pr.GetValue(token) ?? Environment.GetEnvironmentVariable("COP_ADMIN_TOKEN"), ct)));
        return [load, chaos];
    }

    public static TimeSpan Duration(string value)
    {
        var v = value.Trim();
        var (number, unit) = v.EndsWith('m') ? (v[..^1], 60.0) : v.EndsWith('s') ? (v[..^1], 1.0) : (v, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0
            ? TimeSpan.FromSeconds(n * unit) : throw new ArgumentException($"--duration '{value}' is not a duration: give e.g. 30s or 5m");
    }

    public static async Task<int> LoadAsync(CopSettings settings, int count, double rate, string file, DateTime end, CancellationToken ct)
    {
        if (count <= 0) throw new ArgumentException($"--bars must be positive, not {count}");
        if (!File.Exists(file)) throw new FileNotFoundException($"bar file {file} does not exist");
        var bars = BarLoad.Retime(file, count, end);
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        await using var store = new BarStore(services.ConnectionString);
        var ingester = new BarIngester(store, new QuarantineStore(db), settings.Validation, "load");
        Log.Information("Loading {Count} bars from {File}, re-timed {From:O} .. {To:O}, at most {Rate}/s", count, file, bars[0].Time, bars[^1].Time, rate);
        var report = await BarLoad.RunAsync(ingester, bars, rate, (k, r) => { if (k % 100 == 0) Log.Information("{Done}/{Count} bars, {Inserted} inserted", k, count, r.Inserted); }, ct);
        Log.Information("Loaded: {Read} read, {Inserted} inserted, {Rejected} rejected {Reasons}", report.Read, report.Inserted, report.RejectedTotal,
            string.Join(", ", report.Rejected.Select(r => $"{r.Key}={r.Value}")));
        return 0;
    }

    public static async Task<int> ChaosAsync(CopSettings settings, int seed, TimeSpan duration, string admin, string? token, CancellationToken ct)
    {
        var c = settings.Hocon;
        var monkey = new ChaosMonkey(admin, token, settings.DatabaseUrl is { } url ? Cop.Persistence.Schema.ConnectionStrings.NormalizePostgres(url) : null,
            c.GetTimeSpan("cop.chaos.min-pause", TimeSpan.FromMilliseconds(500), allowInfinite: false),
            c.GetTimeSpan("cop.chaos.max-pause", TimeSpan.FromSeconds(3), allowInfinite: false), line => Console.WriteLine(line));
        await monkey.RunAsync(seed, duration, ct);
        return 0;
    }
}
