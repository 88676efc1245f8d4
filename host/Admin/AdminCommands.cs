using System.Globalization;
using System.Text;
using Akka.Actor;
using Cop.Actors.Features;
using Cop.Actors.Models;
using Cop.Actors.Projections;
using Cop.Host.Composition;
using Cop.Streams.Notifications;

namespace Cop.Host.Admin;

/// <summary>
/// The commands a node answers on its admin endpoint (`cop pbm`), with Petabridge.Cmd's names and
/// output shape where pbm has them: `actor hierarchy`, `actor kill`, `actor stop`, and Cop's own
/// `cop streams` and `cop entity`. Everything is asked of the running actor system itself: the tree
/// by Identify on wildcard selections, an entity's state by asking the entity. The cluster palettes
/// are listed (so completion shows them) and answered "not a cluster node": Cop has no Akka.Cluster yet.
/// </summary>
public sealed class AdminCommands(ActorSystem system, CopRuntime? runtime, TimeSpan identifyQuiet, TimeSpan askTimeout)
{
    public static readonly IReadOnlyList<string> Palettes =
    [
        "actor hierarchy [-s <path>] [-d <depth>]",
        "actor kill <path>",
        "actor stop <path>",
        "cop streams",
        "cop entity model <model-id>",
        "cop entity bar-series <symbol>",
        "cluster show",
        "cluster join <address>",
        "cluster leave <address>",
        "cluster down <address>",
        "cluster down-unreachable",
        "cluster tail",
        "cluster-sharding regions",
        "cluster-sharding region-stats -r <type>",
        "help",
    ];

    public const string NotACluster = "not a cluster node: this Cop runs one actor system without Akka.Cluster, so there are no members, shards or regions to show";

    /// <summary>Runs one command line; false with the reason when the command is unknown or failed.</summary>
    public async Task<(bool Ok, string Output)> ExecuteAsync(string line)
    {
        var w = Tokenize(line);
        try
        {
            return w switch
            {
                [] or ["help"] => (true, string.Join('\n', Palettes)),
                ["actor", "hierarchy", .. var rest] => (true, await HierarchyAsync(rest)),
                ["actor", "kill", var path] => (true, await SignalAsync(path, kill: true)),
                ["actor", "stop", var path] => (true, await SignalAsync(path, kill: false)),
                ["cop", "streams"] => (true, await StreamsAsync()),
                ["cop", "entity", "model", var id] => (true, await ModelAsync(id)),
                ["cop", "entity", "bar-series", var symbol] => (true, await SeriesAsync(symbol)),
                ["cluster" or "cluster-sharding", ..] => (false, NotACluster),
                _ => (false, $"unknown command '{line.Trim()}': `help` lists the commands"),
            };
        }
        catch (Exception e) when (e is ArgumentException or ActorNotFoundException or AskTimeoutException or TimeoutException or InvalidOperationException)
        {
            return (false, e.Message);
        }
    }

    private async Task<string> HierarchyAsync(string[] args)
    {
        string root = "/user";
        var depth = int.MaxValue;
        for (var k = 0; k < args.Length; k++)
        {
            switch (args[k])
            {
                case "-s" when k + 1 < args.Length: root = ActorPath(args[++k], allowRoot: true); break;
                case "-d" when k + 1 < args.Length && int.TryParse(args[k + 1], CultureInfo.InvariantCulture, out var d) && d > 0: depth = d; k++; break;
                default: throw new ArgumentException($"actor hierarchy: '{args[k]}' is not -s <path> or -d <depth> (a whole number above 0)");
            }
        }
        var lines = new List<string>();
        var count = 0;
        async Task Walk(string path, int level)
        {
            lines.Add(new string(' ', 2 * level) + path);
            count++;
            if (level >= depth - 1 && depth != int.MaxValue) return;
            foreach (var child in await ChildrenAsync(path)) await Walk(child, level + 1);
        }
        await Walk(root, 0);
        lines.Add($"{count} actors");
        return string.Join('\n', lines);
    }

    /// <summary>The children of an actor: each answers Identify sent to `path/*`; the level is complete
    /// when none has answered for <see cref="identifyQuiet"/>.</summary>
    private async Task<IReadOnlyList<string>> ChildrenAsync(string path)
    {
        var done = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var collector = system.ActorOf(Props.Create(() => new Children(done, identifyQuiet)));
        system.ActorSelection(path.TrimEnd('/') + "/*").Tell(new Identify(path), collector);
        return (await done.Task).Order(StringComparer.Ordinal).ToList();
    }

    private sealed class Children : ReceiveActor
    {
        public Children(TaskCompletionSource<IReadOnlyList<string>> done, TimeSpan quiet)
        {
            var found = new List<string>();
            Context.SetReceiveTimeout(quiet);
            Receive<ActorIdentity>(i => { if (i.Subject is { } s) found.Add(s.Path.ToStringWithoutAddress()); });
            Receive<ReceiveTimeout>(_ => { done.TrySetResult(found); Context.Stop(Self); });
        }
    }

    private async Task<string> SignalAsync(string path, bool kill)
    {
        path = ActorPath(path, allowRoot: false);
        var target = await system.ActorSelection(path).ResolveOne(askTimeout);
        if (kill) target.Tell(Kill.Instance);
        else system.Stop(target);
        return kill ? $"killed {path} (its supervisor decides what follows)" : $"stopped {path}";
    }

    private static string ActorPath(string path, bool allowRoot)
    {
        if (allowRoot && path is "/" or "/user" or "/system") return path;
        if (!path.StartsWith("/user/", StringComparison.Ordinal) && !(allowRoot && path.StartsWith("/system/", StringComparison.Ordinal)))
            throw new ArgumentException($"'{path}' is not an actor path under /user/ (e.g. /user/models)");
        return path;
    }

    private async Task<string> StreamsAsync()
    {
        if (runtime is null) return "no event graphs on this node";
        var sb = new StringBuilder();
        void Graph(string name, string state, EventWatermarks? marks, string breaker)
        {
            var committed = marks?.Committed() ?? new Dictionary<string, DateTime>();
            sb.AppendLine($"{name}: {state}; breaker {breaker}; watermark {(committed.Count == 0 ? "none" : EventWatermarks.Describe(committed))}");
        }
        if (runtime.Features is { } f)
            Graph($"{RowChannels.Bars.Name} -> bar series", f.Completion.IsCompleted ? (f.Completion.IsFaulted ? "failed" : "completed") : "running",
                f.Bars.Marks, f.Bars.Context.Breaker.State.ToString());
        else sb.AppendLine($"{RowChannels.Bars.Name} -> bar series: not started");
        if (runtime.Trading is { } t)
            Graph($"{RowChannels.Features.Name} -> models", "running", t.Features.Marks, t.Features.Context.Breaker.State.ToString());
        else sb.AppendLine($"{RowChannels.Features.Name} -> models: not started");
        try
        {
            var projection = await system.ActorSelection("/user/projection-model-daily-pnl/projection").ResolveOne(askTimeout);
            var p = await projection.Ask<JournalProjection.Progress>(new JournalProjection.GetProgress(), askTimeout);
            sb.AppendLine($"projection {p.Projection}: {(p.CaughtUp ? "caught up" : "catching up")}; journal offset {p.Offset}; {p.EventsApplied} events applied since its start");
        }
        catch (Exception e) when (e is ActorNotFoundException or AskTimeoutException) { sb.AppendLine("projection model-daily-pnl: not running"); }
        return sb.ToString().TrimEnd();
    }

    private async Task<string> ModelAsync(string id)
    {
        var model = await system.ActorSelection($"/user/models/{Uri.EscapeDataString(id)}/model").ResolveOne(askTimeout)
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : throw new ArgumentException($"no running model '{id}' (see `cop models list`)"), TaskScheduler.Default);
        var s = await model.Ask<DeployedModel.AccountState>(new DeployedModel.GetAccount(), askTimeout);
        var a = s.Account;
        return string.Join('\n',
            $"model {s.ModelId}",
            $"  last bar        {s.LastBar?.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) ?? "none"}",
            $"  decisions       {s.Decisions}",
            $"  position        {a.Position}",
            $"  entry price     {a.EntryPrice.ToString("F4", CultureInfo.InvariantCulture)}",
            $"  equity          {a.Equity.ToString("R", CultureInfo.InvariantCulture)}",
            $"  trades          {a.Trades}",
            $"  journal seq nr  {s.JournalSequenceNr}");
    }

    private async Task<string> SeriesAsync(string symbol)
    {
        var supervisor = await system.ActorSelection("/user/bar-series").ResolveOne(askTimeout);
        var list = await supervisor.Ask<BarSeriesSupervisor.SeriesList>(new BarSeriesSupervisor.ListSeries(), askTimeout);
        var key = list.Series.FirstOrDefault(s => s.StartsWith(symbol + "|", StringComparison.Ordinal))
                  ?? throw new ArgumentException($"no bar series '{symbol}' on this node (series: {string.Join(", ", list.Series)})");
        var timeframe = key[(symbol.Length + 1)..];
        var s = await supervisor.Ask<BarSeries.State>(new BarSeries.GetState(symbol, timeframe), askTimeout);
        return string.Join('\n',
            $"bar series {s.Symbol} {s.Timeframe}",
            $"  last bar        {s.LastApplied?.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) ?? "none"}",
            $"  bars seen       {s.BarsSeen}",
            $"  journal seq nr  {s.JournalSequenceNr}");
    }

    /// <summary>Words, with "double quotes" keeping spaces (a symbol, a path).</summary>
    public static string[] Tokenize(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var ch in line)
        {
            if (ch == '"') { quoted = !quoted; continue; }
            if (char.IsWhiteSpace(ch) && !quoted) { if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); } continue; }
            current.Append(ch);
        }
        if (current.Length > 0) words.Add(current.ToString());
        return [.. words];
    }

    /// <summary>What can follow <paramref name="prefix"/>: the palettes' next words (placeholders like &lt;path&gt; are not offered).</summary>
    public static IReadOnlyList<string> Complete(IReadOnlyList<string> palettes, string prefix)
    {
        var typed = Tokenize(prefix);
        var partial = prefix.Length > 0 && !char.IsWhiteSpace(prefix[^1]) && typed.Length > 0 ? typed[^1] : "";
        var done = partial.Length > 0 ? typed[..^1] : typed;
        var options = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var palette in palettes)
        {
            var words = Tokenize(palette);
            if (words.Length <= done.Length || !words.Take(done.Length).SequenceEqual(done)) continue;
            var next = words[done.Length];
            if (next.StartsWith('<') || next.StartsWith('[')) continue;
            if (next.StartsWith(partial, StringComparison.Ordinal)) options.Add(next);
        }
        return [.. options];
    }
}
