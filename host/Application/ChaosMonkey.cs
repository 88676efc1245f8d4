using System.Globalization;
using Cop.Host.Commands;
using Cop.Persistence.Chaos;

namespace Cop.Host.Application;

/// <summary>
/// `cop chaos`: against a running Cop, at random times (seeded: the same seed makes the same
/// choices), for a bounded duration: kills a random entity actor (a deployed model, a bar series)
/// or a random supervisor (the models' or bar series' top-level one, a model's back-off supervisor)
/// through the node's admin endpoint (`actor kill`, found with `actor hierarchy`), or terminates
/// Cop's LISTEN backends on PostgreSQL. Redis is not restarted: an embedded Redis belongs to the
/// `cop run` that started it (tied to it by the parent-death signal), so the step is skipped with a
/// log line. Every step is logged with its time.
/// </summary>
public sealed class ChaosMonkey(string admin, string? token, string? connectionString, TimeSpan minPause, TimeSpan maxPause, Action<string> log)
{
    public sealed record Step(DateTime At, string Action, string Outcome);

    public async Task<IReadOnlyList<Step>> RunAsync(int seed, TimeSpan duration, CancellationToken ct = default)
    {
        var random = new Random(seed);
        using var http = PbmCommand.Client(admin, token);
        var steps = new List<Step>();
        var until = DateTime.UtcNow + duration;
        while (true)
        {
            var pause = minPause + TimeSpan.FromTicks((long)(random.NextDouble() * (maxPause - minPause).Ticks));
            if (DateTime.UtcNow + pause >= until) break;
            await Task.Delay(pause, ct);   // the chaos's own random timing, not a wait for anything
            var choice = random.Next(100);
            var (action, outcome) = choice switch
            {
                < 35 => await KillAsync(http, random, "/user/models", "model", ct),
                < 60 => await KillAsync(http, random, "/user/bar-series", "series", ct),
                < 75 => await KillSupervisorAsync(http, random, ct),
                < 95 => await TerminateListenersAsync(ct),
                _ => ("restart redis", "skipped: the embedded Redis belongs to the cop run that started it"),
            };
            var step = new Step(DateTime.UtcNow, action, outcome);
            steps.Add(step);
            log($"{step.At.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {action}: {outcome}");
        }
        log($"chaos done: {steps.Count} steps in {duration.TotalSeconds:F0} s (seed {seed})");
        return steps;
    }

    /// <summary>A random entity under <paramref name="root"/>: the leaves named <paramref name="leaf"/> (the entity under its back-off supervisor).</summary>
    private static async Task<(string, string)> KillAsync(HttpClient http, Random random, string root, string leaf, CancellationToken ct)
    {
        var (ok, tree) = await PbmCommand.SendAsync(http, "", $"actor hierarchy -s {root} -d 3", ct);
        var entities = ok ? Paths(tree).Where(p => p.EndsWith("/" + leaf, StringComparison.Ordinal)).ToList() : [];
        if (entities.Count == 0) return ($"kill an entity under {root}", "none running");
        var target = entities[random.Next(entities.Count)];
        return ($"kill {target}", (await PbmCommand.SendAsync(http, "", $"actor kill {target}", ct)).Output);
    }

    private static async Task<(string, string)> KillSupervisorAsync(HttpClient http, Random random, CancellationToken ct)
    {
        var (ok, tree) = await PbmCommand.SendAsync(http, "", "actor hierarchy -s /user/models -d 2", ct);
        List<string> supervisors = ["/user/models", "/user/bar-series", .. ok ? Paths(tree).Where(p => p.Count(c => c == '/') == 3) : []];
        var target = supervisors[random.Next(supervisors.Count)];
        return ($"kill supervisor {target}", (await PbmCommand.SendAsync(http, "", $"actor kill {target}", ct)).Output);
    }

    private async Task<(string, string)> TerminateListenersAsync(CancellationToken ct)
    {
        if (connectionString is null) return ("terminate listener backends", "skipped: no COP_DATABASE_URL (the running Cop's database) given");
        return ("terminate listener backends", $"{await ListenBackends.TerminateAsync(connectionString, ct)} terminated");
    }

    private static IEnumerable<string> Paths(string tree) =>
        tree.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('/'));
}
