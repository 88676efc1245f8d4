using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Cop.Actors.Serialization;
using Cop.Trading;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Actors.Models;

/// <summary>
/// One deployed model trading one symbol's bars, exactly once per (model, bar).
///
/// For a bar it reads the stored features, runs its ONNX policy on them and journals what the
/// domain makes of the answer: <see cref="ModelState"/> puts the model's own position in,
/// normalises with its norm_stats, asks the risk rules and, when approved, fills on paper at the
/// close. The actor only sequences the reads, the policy run, the journal and the rows around
/// those pure functions. The decision (with its fill) is journaled before anything is written or
/// answered; the decision and trade rows are written after the journal, idempotently, and the bar
/// is answered once they are committed. On recovery the account is rebuilt from the journal alone
/// (replayed through the same <see cref="ModelState.Apply(ModelDecided)"/>) and the
/// decisions since the last snapshot are written again, so a crash anywhere loses nothing and
/// doubles nothing. A bar at or before the last decided one of its symbol is answered as a
/// duplicate; a bar of another symbol is refused (a model trades <see cref="ModelSettings.Symbol"/>
/// only, and another symbol's bar must never stand in for its own).
///
/// Decisions are pipelined: the next bar is decided (from the account in memory, which already
/// holds the previous decision) while the previous one is still being journaled and written, so
/// a backlog costs one journal batch per group of bars, not one round trip per bar. Journal
/// order is decision order (PersistAsync keeps it); a failed or rejected journal write restarts
/// the model, which then holds only what the journal holds.
///
/// Given a sequence of feature rows (<see cref="IBarSequence"/>), a model's decisions are gapless:
/// after its first decision it decides its symbol's rows one after the other, so a bar asked while
/// an earlier row is still undecided (the pipeline gave up on it during an outage) decides that row
/// first, and after a restart the model catches up to the newest row by itself. A bar whose
/// decision fails deterministically (poison) holds the model there, however often it is asked,
/// until an operator skips it (<see cref="IDecisionSkips"/>, `cop dlq skip`); the skip is journaled.
/// </summary>
public sealed class DeployedModel : ReceivePersistentActor, IWithTimers
{
    // Protocol
    /// <param name="Previous">The asker's feature row before this one: when it is the last decided
    /// bar there is no gap to look for, and the bar is read without asking the database first.</param>
    public sealed record DecideBar(string Symbol, DateTime BarTime, DateTime? InsertedAt, DateTime? Previous = null);
    public sealed record BarDecided(string ModelId, DateTime BarTime, TradeAction Action, RiskVerdict Verdict, bool Duplicate);
    public sealed record SetKillSwitch(bool On);
    public sealed record GetAccount;
    public sealed record AccountState(string ModelId, PaperAccount Account, DateTime? LastBar, long Decisions, long JournalSequenceNr = 0);

    // Journal: the domain's events (ModelDecided, BarSkipped) and this snapshot of its state.
    public sealed record AccountSnapshot(PaperAccount Account, DateTime? LastBar, long BarIndex, string? Symbol = null) : ICopPersisted;

    private sealed record FeaturesRead(DecideBar Command, DateTime Bar, FeatureSnapshot? Snapshot, IActorRef ReplyTo, long StartTicks);
    private sealed record NextFound(DecideBar Command, DateTime? Next, IActorRef ReplyTo, long StartTicks);
    private sealed record PoisonChecked(DecideBar Command, DateTime Bar, string Reason, DecisionSkip? Skip, IActorRef ReplyTo);
    private sealed record CatchUp;
    // The target of a catch-up: the newest feature row, whatever it is.
    private static readonly DateTime Newest = DateTime.MaxValue;
    private sealed record Logged(BarDecided Reply, IActorRef ReplyTo, object Incarnation);
    private sealed record Relogged;

    /// <param name="loadPolicy">Loads the ONNX session; each incarnation (after a restart) loads its own.</param>
    /// <param name="sequence">Null: each asked bar is decided alone (no gap check, no catch-up).</param>
    public static Props Props(string modelId, Func<PolicySession> loadPolicy, NormStats norm, ModelSettings settings,
        IFeatureSource features, IDecisionLog log, bool killSwitch, IBarSequence? sequence = null, IDecisionSkips? skips = null) =>
        Akka.Actor.Props.Create(() => new DeployedModel(modelId, loadPolicy, norm, settings, features, log, killSwitch, sequence, skips));

    private readonly string _modelId;
    private readonly PolicySession _policy;
    private readonly NormStats _norm;
    private readonly ModelSettings _settings;
    private readonly IFeatureSource _features;
    private readonly IDecisionLog _log;
    private readonly IBarSequence? _sequence;
    private readonly IDecisionSkips? _skips;
    private readonly ILoggingAdapter _logger = Context.GetLogger();
    private readonly DecisionRules _rules;
    private readonly List<ModelDecided> _sinceSnapshot = [];
    // Askers of decisions made but not yet journaled and written, oldest first. If this incarnation
    // ends first (a failure, a kill), they are told so at once and ask again.
    private readonly List<IActorRef> _awaiting = [];
    private readonly object _incarnation = new();   // a Logged from an earlier incarnation is stale
    private readonly float[] _obs = new float[PolicySession.ObservationSize];
    private bool _killSwitch;
    private ModelState _state;

    public ITimerScheduler Timers { get; set; } = null!;

    public DeployedModel(string modelId, Func<PolicySession> loadPolicy, NormStats norm, ModelSettings settings,
        IFeatureSource features, IDecisionLog log, bool killSwitch, IBarSequence? sequence, IDecisionSkips? skips)
    {
        (_modelId, _norm, _settings, _features, _log, _killSwitch, _sequence, _skips) = (modelId, norm, settings, features, log, killSwitch, sequence, skips);
        _policy = loadPolicy();
        _rules = new DecisionRules(settings.Risk, settings.Costs, settings.MaxMacroAge);
        _state = ModelState.Start(settings.Symbol);
        PersistenceId = PersistenceIdOf(modelId);

        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is not AccountSnapshot s) return;
            _state = _state with { Account = s.Account, LastBar = s.LastBar, BarIndex = s.BarIndex };
        });
        Recover<ModelDecided>(e => { _state = _state.Apply(e); _sinceSnapshot.Add(e); });
        Recover<BarSkipped>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            // Rows of decisions the journal has but the tables may not (a crash between the two).
            var pending = _sinceSnapshot.Select(Record).ToList();
            _log.WriteAsync(pending).PipeTo(Self, success: () => new Relogged(), failure: e => new Status.Failure(e));
        });
        Command<Relogged>(_ =>
        {
            Become(Ready);
            // Bars the pipeline gave up on while this model was down are decided now, not when a later one comes.
            if (_sequence is not null && _state.LastBar is not null) Self.Tell(new CatchUp());
            Stash.UnstashAll();
        });
        Command<Status.Failure>(f => throw new InvalidOperationException($"{PersistenceId}: re-logging recovered decisions failed", f.Cause));
        CommandAny(_ => Stash.Stash());
    }

    public override string PersistenceId { get; }

    /// <summary>The journal's name for a model's events (what `cop replay` and the projections read).</summary>
    public const string PersistenceIdPrefix = "deployed-model|";
    public static string PersistenceIdOf(string modelId) => PersistenceIdPrefix + modelId;

    private void Ready()
    {
        Command<DecideBar>(cmd =>
        {
            if (!string.Equals(cmd.Symbol, _settings.Symbol, StringComparison.Ordinal))
            {
                Sender.Tell(new Status.Failure(new ArgumentException(
                    $"{_modelId} trades {_settings.Symbol}, not {InstrumentCatalogue.Printable(cmd.Symbol)}")));
                return;
            }
            if (_state.HasDecided(cmd.BarTime))
            {
                Sender.Tell(new BarDecided(_modelId, cmd.BarTime, TradeAction.Hold, RiskVerdict.NoChange, Duplicate: true));
                return;
            }
            Become(Working);
            Advance(cmd, Sender);
        });
        // One row per message, so that asks in between are answered (each decides the rows before its bar itself).
        Command<CatchUp>(_ =>
        {
            if (_state.LastBar is null || _sequence is null) return;
            Become(Working);
            Advance(new DecideBar(_settings.Symbol, Newest, null), ActorRefs.Nobody);
        });
        Common();
    }

    /// <summary>Towards the asked bar: the next undecided feature row of its symbol, which is the
    /// asked bar itself unless an earlier one was never decided. A fresh model starts at the bar it is asked.</summary>
    private void Advance(DecideBar cmd, IActorRef replyTo)
    {
        var start = Stopwatch.GetTimestamp();
        // The stream's previous row is the last decided one: nothing in between (the common case,
        // one bar after another). Otherwise (a restart, a bar given up on) look for the first gap.
        if (_sequence is null || _state.LastBar is not { } last || cmd.Previous == last) { Read(cmd, cmd.BarTime, replyTo, start); return; }
        _sequence.NextAsync(cmd.Symbol, last).PipeTo(Self,
            success: next => new NextFound(cmd, next, replyTo, start), failure: e => new Status.Failure(e));
    }

    private void Read(DecideBar cmd, DateTime bar, IActorRef replyTo, long start) =>
        _features.ReadAsync(cmd.Symbol, bar).PipeTo(Self,
            success: s => new FeaturesRead(cmd, bar, s, replyTo, start), failure: e => new Status.Failure(e));

    private Status.Failure NoRow(DecideBar cmd, DateTime bar) => new(new InvalidOperationException(bar == cmd.BarTime
        ? $"{_modelId}: no feature row for {cmd.Symbol} {bar:O}"
        : $"{_modelId}: no feature row for {cmd.Symbol} {bar:O}, the bar before {cmd.BarTime:O} still to decide"));

    private void Done()
    {
        Become(Ready);
        Stash.UnstashAll();
    }

    private void Working()
    {
        Command<NextFound>(f =>
        {
            if (f.Next is { } next && next <= f.Command.BarTime) { Read(f.Command, next, f.ReplyTo, f.StartTicks); return; }
            // Caught up; or no row at the asked bar (nor before it).
            if (f.Command.BarTime != Newest)
                f.ReplyTo.Tell(NoRow(f.Command, f.Command.BarTime));
            Done();
        });
        Command<FeaturesRead>(read =>
        {
            if (read.Snapshot is not { } snapshot)
            {
                read.ReplyTo.Tell(NoRow(read.Command, read.Bar));
                Done();
                return;
            }
            ModelDecided decided;
            try { decided = Decide(snapshot, read.StartTicks); }
            catch (Exception e)
            {
                // The same features, account and policy fail the same way again: a poison bar, not a restart.
                var (cmd, bar, asker, reason) = (read.Command, read.Bar, read.ReplyTo, $"{e.GetType().Name}: {e.Message}");
                (_skips?.FindAsync(_modelId, cmd.Symbol, bar) ?? Task.FromResult<DecisionSkip?>(null)).PipeTo(Self,
                    success: skip => new PoisonChecked(cmd, bar, reason, skip, asker), failure: f => new Status.Failure(f));
                return;
            }
            _state = _state.Apply(decided);
            // A row before the asked bar is decided for the sequence; the asker hears of its own bar.
            var asked = read.Bar == read.Command.BarTime;
            var replyTo = asked ? read.ReplyTo : ActorRefs.Nobody;
            _awaiting.Add(replyTo);
            var reply = new BarDecided(_modelId, decided.BarTime, decided.Action, decided.Verdict, Duplicate: false);
            void Log(ModelDecided e)
            {
                _sinceSnapshot.Add(e);
                _log.WriteAsync([Record(e)]).PipeTo(Self, success: () => new Logged(reply, replyTo, _incarnation), failure: f => new Status.Failure(f));
            }
            PersistAsync(decided, Log);
            Next(read.Command, read.ReplyTo, asked);
        });
        Command<PoisonChecked>(p =>
        {
            if (p.Skip is not { } skip)
            {
                _logger.Error("{0}: bar {1} {2:O} cannot be decided ({3}); the model holds there until `cop dlq skip`", _modelId, p.Command.Symbol, p.Bar, p.Reason);
                p.ReplyTo.Tell(new Status.Failure(new PoisonBarException(p.Command.Symbol, p.Bar, p.Reason)));
                // Asked again later, even if no bar comes: a skip recorded meanwhile lets it go on.
                Timers.StartSingleTimer("poison", new CatchUp(), _settings.PoisonRecheck);
                Done();
                return;
            }
            _logger.Warning("{0}: bar {1} {2:O} skipped by {3} at {4:O}: {5}", _modelId, p.Command.Symbol, p.Bar, skip.SkippedBy, skip.SkippedAt, skip.Reason);
            var skipped = new BarSkipped(p.Command.Symbol, p.Bar, skip.SkippedBy, skip.SkippedAt, skip.Reason);
            _state = _state.Apply(skipped);
            PersistAsync(skipped, _ => { });
            var asked = p.Bar == p.Command.BarTime;
            if (asked) p.ReplyTo.Tell(new BarDecided(_modelId, p.Bar, TradeAction.Hold, RiskVerdict.NoChange, Duplicate: true));
            Next(p.Command, p.ReplyTo, asked);
        });
        Common();
        CommandAny(_ => Stash.Stash());
    }

    private void Common()
    {
        Command<Logged>(l =>
        {
            if (l.Incarnation != _incarnation) return;   // its asker was told of the failure and asks again
            _awaiting.Remove(l.ReplyTo);
            // A snapshot only when nothing is in flight: it must not hold a decision the journal lacks.
            if (_awaiting.Count == 0 && _sinceSnapshot.Count >= _settings.SnapshotEvery)
            {
                SaveSnapshot(new AccountSnapshot(_state.Account, _state.LastBar, _state.BarIndex, _settings.Symbol));
                _sinceSnapshot.Clear();
            }
            l.ReplyTo.Tell(l.Reply);
        });
        // The journal has the decision, the rows may not: restart, recover, re-log.
        Command<Status.Failure>(f => throw new InvalidOperationException($"{PersistenceId}: a decision failed", f.Cause));
        Command<SetKillSwitch>(k =>
        {
            if (k.On != _killSwitch) _logger.Warning("{0}: kill switch {1}", _modelId, k.On ? "ON: logging HOLD, trading nothing" : "off");
            _killSwitch = k.On;
        });
        Command<GetAccount>(_ => Sender.Tell(new AccountState(_modelId, _state.Account, _state.LastBar, _state.Decisions, LastSequenceNr)));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _logger.Warning("{0}: snapshot failed: {1}", PersistenceId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    /// <summary>One bar's decision: the domain observes it, the ONNX policy answers, the domain decides.</summary>
    private ModelDecided Decide(FeatureSnapshot bar, long startTicks)
    {
        _state.Observe(bar, _norm, _obs);
        var (action, confidence, _) = _policy.Decide(_obs);
        return _state.Decide(bar, _obs, action, confidence, _rules, _killSwitch, Stopwatch.GetElapsedTime(startTicks).TotalMilliseconds);
    }

    /// <summary>After one row: the asked bar is done, a catch-up goes on one message later, an ask goes on now.</summary>
    private void Next(DecideBar cmd, IActorRef replyTo, bool asked)
    {
        if (asked) Done();
        else if (cmd.BarTime == Newest) { Self.Tell(new CatchUp()); Done(); }
        else Advance(cmd, replyTo);
    }

    private DecisionRecord Record(ModelDecided e) => DecisionRecord.Of(_modelId, e);

    /// <summary>The account in memory already holds the rejected decision: start again from the journal.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr) =>
        throw new InvalidOperationException($"{PersistenceId}: the journal rejected decision {sequenceNr}", cause);

    /// <summary>Stopped or restarting (a failure, a kill, a journal write that failed): every asker
    /// still waiting, in flight or stashed, hears it now rather than at its ask timeout.</summary>
    protected override void PostStop()
    {
        var gone = new Status.Failure(new InvalidOperationException($"{_modelId} stopped before answering; ask again"));
        foreach (var asker in _awaiting) asker.Tell(gone);
        _awaiting.Clear();
        foreach (var envelope in Stash.ClearStash())
            if (envelope.Message is DecideBar) envelope.Sender.Tell(gone);
        _policy.Dispose();
        base.PostStop();
    }
}
