using Akka.Actor;
using Akka.Event;
using Cop.Actors.Supervision;
using Cop.Trading.Decisions;

namespace Cop.Actors.Models;

/// <summary>
/// Keeps one DeployedModel per model whose registry status is 'deployed': it polls the registry,
/// starts models that became deployed (after checking their file loads and meets the contract;
/// a refusal is recorded in the registry and not retried until the file changes), stops those
/// that left, and passes kill-switch changes on at run time. DecideBar goes to every model; the
/// answer lists each model's decision (or failure).
/// </summary>
public sealed class DeployedModelSupervisor : ReceiveActor, IWithTimers
{
    /// <param name="Previous">The feature row before this one in the stream that asks (null: not known).</param>
    public sealed record DecideBar(string Symbol, DateTime BarTime, DateTime? InsertedAt, TimeSpan Timeout, DateTime? Previous = null);
    /// <summary>A model that did not decide a bar, and why (<see cref="Supervisor"/>: the supervisor itself did not answer).
    /// Typed all the way to the dead-letter queue; the text "model: reason" is for people only.</summary>
    public sealed record ModelFailure(string ModelId, string Reason)
    {
        public const string Supervisor = "*";
        public override string ToString() => $"{ModelId}: {Reason}";
    }
    public sealed record BarDecisions(DateTime BarTime, IReadOnlyList<DeployedModel.BarDecided> Decided, IReadOnlyList<ModelFailure> Failed);
    public sealed record Refresh;
    public sealed record ListModels;
    public sealed record ModelList(IReadOnlyList<string> Running, IReadOnlyDictionary<string, string> Rejected);
    private sealed record Registry(IReadOnlyList<DeployedModelInfo> Deployed);

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="symbol">The symbol the models trade: a bar of another is decided by none of them
    /// (null: every bar goes to every model, which refuses a symbol it does not trade).</param>
    /// <param name="minBackoff">A model's first wait before a restart (hocon: cop.trading.restart.min-backoff; default ModelSettings').</param>
    /// <param name="maxBackoff">The longest wait between a model's restarts (its recovery is retried until the journal answers).</param>
    public static Props Props(IModelRegistry registry,
        Func<DeployedModelInfo, Props> modelProps, TimeSpan poll, string? symbol = null, TimeSpan? minBackoff = null, TimeSpan? maxBackoff = null) =>
        Akka.Actor.Props.Create(() => new DeployedModelSupervisor(registry, modelProps, poll, symbol,
            minBackoff ?? new ModelSettings().RestartMinBackoff, maxBackoff ?? new ModelSettings().RestartMaxBackoff));

    public DeployedModelSupervisor(IModelRegistry registry, Func<DeployedModelInfo, Props> modelProps, TimeSpan poll, string? symbol, TimeSpan minBackoff, TimeSpan maxBackoff)
    {
        var log = Context.GetLogger();
        var running = new Dictionary<string, (IActorRef Actor, DeployedModelInfo Info)>();
        var rejected = new Dictionary<string, (string Sha, string Error)>();
        IReadOnlyList<DeployedModelInfo> deployedLast = [];   // the last registry read that succeeded
        Timers.StartPeriodicTimer("poll", new Refresh(), poll);
        Self.Tell(new Refresh());

        Receive<Refresh>(_ => registry.DeployedAsync().PipeTo(Self, success: d => new Registry(d), failure: e =>
        {
            log.Warning("model registry unreadable: {0}", e.Message);
            return new Registry(deployedLast);   // keep what was deployed (and start what stopped)
        }));
        Receive<Registry>(r =>
        {
            deployedLast = r.Deployed;
            var wanted = r.Deployed.ToDictionary(d => d.ModelId);
            foreach (var id in running.Keys.Where(id => !wanted.ContainsKey(id)).ToList())
            {
                log.Info("model {0} is no longer deployed: stopping it", id);
                Context.Unwatch(running[id].Actor);
                Context.Stop(running[id].Actor);
                running.Remove(id);
            }
            foreach (var info in wanted.Values)
            {
                if (running.TryGetValue(info.ModelId, out var current))
                {
                    if (current.Info.KillSwitch != info.KillSwitch) current.Actor.Tell(new DeployedModel.SetKillSwitch(info.KillSwitch));
                    if (current.Info.FileSha256 == info.FileSha256) { running[info.ModelId] = (current.Actor, info); continue; }
                    Context.Unwatch(current.Actor);
                    Context.Stop(current.Actor);   // a new file under the same id: restart on it
                    running.Remove(info.ModelId);
                }
                if (rejected.TryGetValue(info.ModelId, out var refusal) && refusal.Sha == info.FileSha256) continue;
                try
                {
                    using (PolicySession.Load(info.FilePath, info.FileSha256)) { }
                    _ = NormStats.FromJson(info.NormStatsJson);
                }
                catch (Exception e) when (e is ModelRejectedException or ArgumentException or System.Text.Json.JsonException)
                {
                    log.Error("model {0} refused: {1}", info.ModelId, e.Message);
                    rejected[info.ModelId] = (info.FileSha256, e.Message);
                    _ = registry.RecordErrorAsync(info.ModelId, e.Message);
                    continue;
                }
                rejected.Remove(info.ModelId);
                var actor = Context.ActorOf(RestartWithBackoff.Props(modelProps(info), "model", minBackoff, maxBackoff), Uri.EscapeDataString(info.ModelId));
                Context.Watch(actor);
                running[info.ModelId] = (actor, info);
                log.Info("model {0} deployed{1}", info.ModelId, info.KillSwitch ? " (kill switch on)" : "");
            }
        });
        Receive<DecideBar>(bar =>
        {
            var replyTo = Sender;
            if (symbol is not null && !string.Equals(bar.Symbol, symbol, StringComparison.Ordinal))
            {
                replyTo.Tell(new BarDecisions(bar.BarTime, [], []));   // no model trades it: nothing to decide
                return;
            }
            // A deployed model that is not running right now (stopped from outside, about to start
            // again) fails the bar, so the pipeline asks again or dead-letters it: never a silent skip.
            var down = deployedLast.Where(d => !running.ContainsKey(d.ModelId) && !rejected.ContainsKey(d.ModelId))
                .Select(d => Task.FromResult((d.ModelId, Result: (DeployedModel.BarDecided?)null, Error: (ModelFailure?)new ModelFailure(d.ModelId, "not running, starting again"))));
            var asks = running.Select(async m =>
            {
                try { return (m.Key, Result: (DeployedModel.BarDecided?)await m.Value.Actor.Ask<DeployedModel.BarDecided>(new DeployedModel.DecideBar(bar.Symbol, bar.BarTime, bar.InsertedAt, bar.Previous), bar.Timeout), Error: (ModelFailure?)null); }
                catch (Exception e) { return (m.Key, Result: null, Error: new ModelFailure(m.Key, e.Message)); }
            }).Concat(down).ToList();
            Task.WhenAll(asks).PipeTo(replyTo, success: results => new BarDecisions(bar.BarTime,
                [.. results.Where(x => x.Result is not null).Select(x => x.Result!)], [.. results.Where(x => x.Error is not null).Select(x => x.Error!)]));
        });
        // A model's supervisor stopped from outside (PoisonPill; a Kill restarts it in place): forget
        // it and read the registry, which starts it again if it is still deployed.
        Receive<Terminated>(t =>
        {
            var lost = running.FirstOrDefault(r => r.Value.Actor.Equals(t.ActorRef));
            if (lost.Key is null) return;
            log.Warning("model {0} stopped unexpectedly: starting it again", lost.Key);
            running.Remove(lost.Key);
            Self.Tell(new Refresh());
        });
        Receive<ListModels>(_ => Sender.Tell(new ModelList([.. running.Keys], rejected.ToDictionary(r => r.Key, r => r.Value.Error))));
    }

    protected override SupervisorStrategy SupervisorStrategy() => RestartInPlace.Strategy;
}
