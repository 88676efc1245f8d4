using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Cop.Actors.Serialization;
using Cop.Actors.Telemetry;
using Cop.Trading;
using Cop.Trading.Features;

namespace Cop.Actors.Features;

/// <summary>
/// One bar series (symbol, timeframe): holds the incremental feature state and turns each stored
/// bar into its feature row, in time order, exactly once in effect.
///
/// A unit of work is "every stored bar up to T": load the bars after the last applied one,
/// build their rows, UPSERT them (single writer), answer, and journal <see cref="BarsApplied"/>
/// behind. The journal entry comes after the commit, so a crash in between repeats the unit after
/// restart and the UPSERT of identical rows changes nothing; a unit already applied is answered
/// without work.
/// On (re)start the actor restores its snapshot, replays the journal to learn the last applied
/// bar, and rebuilds the indicators from the stored bars in between before it accepts commands.
/// </summary>
public sealed class BarSeries : ReceivePersistentActor
{
    // Protocol
    /// <summary>Build features for every stored bar of the series up to <paramref name="UpTo"/>.</summary>
    public sealed record ProcessUpTo(string Symbol, string Timeframe, DateTime UpTo);
    public sealed record Processed(string Symbol, string Timeframe, DateTime? LastApplied, int BarsBuilt, int RowsChanged);
    public sealed record GetState(string Symbol, string Timeframe);
    public sealed record State(string Symbol, string Timeframe, DateTime? LastApplied, long BarsSeen, bool Ready);

    // Journal and snapshot
    public sealed record BarsApplied(DateTime First, DateTime Last, int Count) : ICopPersisted;
    public sealed record IndicatorSnapshot(PriceIndicatorState Price) : ICopPersisted;

    private sealed record Rebuilt(FeatureBuilder Builder);
    /// <summary>A unit of work in progress: the command, who asked, and what was done so far.</summary>
    private sealed record Unit(ProcessUpTo Command, IActorRef ReplyTo, int Built, int Changed);
    private sealed record Loaded(IReadOnlyList<Bar> Bars, Unit Unit, IReadOnlyDictionary<string, IEnumerable<MacroObservation>>? Macro = null);
    private sealed record Written(IReadOnlyList<FeatureRow> Rows, int Changed, Unit Unit);
    private sealed record Continue(Unit Unit);

    public static string PersistenceIdFor(string symbol, string timeframe) => $"bar-series|{symbol}|{timeframe}";

    public static Props Props(string symbol, string timeframe, IBarSeriesStore store, BarSeriesSettings settings) =>
        Akka.Actor.Props.Create(() => new BarSeries(symbol, timeframe, store, settings));

    private readonly string _symbol, _timeframe;
    private readonly IBarSeriesStore _store;
    private readonly BarSeriesSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private PriceIndicatorState? _snapshot;
    private DateTime? _lastApplied;
    private long _barsSinceSnapshot;
    private FeatureBuilder _builder = null!;
    private DateTime _macroLoadedAt;

    public BarSeries(string symbol, string timeframe, IBarSeriesStore store, BarSeriesSettings settings)
    {
        (_symbol, _timeframe, _store, _settings) = (symbol, timeframe, store, settings);
        PersistenceId = PersistenceIdFor(symbol, timeframe);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is not IndicatorSnapshot s) return;
            _snapshot = s.Price;
            _lastApplied = s.Price.Index >= 0 ? s.Price.LastTime : null;
        });
        Recover<BarsApplied>(e => _lastApplied = e.Last);
        Recover<RecoveryCompleted>(_ => Rebuild());
        Rebuilding();
    }

    public override string PersistenceId { get; }

    /// <summary>Restores indicators: snapshot, then the stored bars after it up to the last applied one.</summary>
    private void Rebuild()
    {
        var snapshot = _snapshot;
        var lastApplied = _lastApplied;
        RunRebuild().PipeTo(Self, failure: e => new Status.Failure(e));

        async Task<Rebuilt> RunRebuild()
        {
            var macro = await _store.LoadMacroAsync();
            var builder = new FeatureBuilder(_symbol, new MacroFeatures(macro),
                snapshot is null ? null : PriceIndicators.Restore(snapshot));
            while (lastApplied is { } upTo && (builder.LastTime is null || builder.LastTime < upTo))
            {
                var bars = await _store.LoadBarsAsync(_symbol, builder.LastTime, upTo, _settings.MaxBarsPerUnit);
                if (bars.Count == 0) break;   // the bars were deleted: nothing left to replay
                foreach (var bar in bars) builder.Next(bar);
            }
            return new Rebuilt(builder);
        }
    }

    private void Rebuilding()
    {
        Command<Rebuilt>(r =>
        {
            _builder = r.Builder;
            _macroLoadedAt = DateTime.UtcNow;
            if (_builder.LastTime != _lastApplied)
                _log.Warning("{0}: journal says {1:O} was applied but stored bars end at {2:O}; continuing from the bars",
                    PersistenceId, _lastApplied, _builder.LastTime);
            _lastApplied = _builder.LastTime;
            _log.Info("{0} ready: {1} bars of state, last applied {2:O}", PersistenceId, _builder.Price.Count, _lastApplied);
            Become(Ready);
            Stash.UnstashAll();
        });
        Command<Status.Failure>(f => throw new BarSeriesException($"{PersistenceId}: rebuilding failed", f.Cause));
        CommandAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        Command<ProcessUpTo>(cmd =>
        {
            if (cmd.Symbol != _symbol || cmd.Timeframe != _timeframe)
            {
                Sender.Tell(new Status.Failure(new ArgumentException($"{PersistenceId} cannot process {cmd.Symbol} {cmd.Timeframe}")));
                return;
            }
            if (_lastApplied is { } last && cmd.UpTo <= last)
            {
                Sender.Tell(new Processed(_symbol, _timeframe, _lastApplied, 0, 0));   // already applied: idempotent
                return;
            }
            Start(new Unit(cmd, Sender, 0, 0), RefreshMacroIfDue());
        });
        Command<Continue>(c => Start(c.Unit));
        Command<GetState>(_ => Sender.Tell(new State(_symbol, _timeframe, _lastApplied, _builder.Price.Count, Ready: true)));
        Housekeeping();
    }

    private Unit? _current;   // the unit of work running, so a failure can answer its asker at once

    /// <summary>Loads the unit's bars, after the macro refresh if one is due: bars are built only
    /// on macro values as fresh as the refresh (a value withdrawn by `cop macro reject` is gone
    /// before the next bar is built).</summary>
    private void Start(Unit unit, Task<IReadOnlyDictionary<string, IEnumerable<MacroObservation>>>? macro = null)
    {
        _current = unit;
        Become(Working);
        var lastApplied = _lastApplied;
        LoadAsync().PipeTo(Self, failure: e => new Status.Failure(e));

        async Task<Loaded> LoadAsync()
        {
            var refreshed = macro is null ? null : await macro;
            return new Loaded(await _store.LoadBarsAsync(_symbol, lastApplied, unit.Command.UpTo, _settings.MaxBarsPerUnit), unit, refreshed);
        }
    }

    private void Working()
    {
        Command<Loaded>(loaded =>
        {
            if (loaded.Macro is { } m && m.Values.Any(v => v.Any())) _builder.Macro.Merge(m);
            var rows = new List<FeatureRow>(loaded.Bars.Count);
            foreach (var bar in loaded.Bars) rows.Add(_builder.Next(bar));
            if (rows.Count == 0) { Finish(loaded.Unit, more: false); return; }
            _store.UpsertAsync(rows).PipeTo(Self,
                success: changed => new Written(rows, changed, loaded.Unit),
                failure: e => new Status.Failure(e));
        });
        Command<Written>(w =>
        {
            // The rows are committed: the unit is done. Its journal entry only records progress for
            // a faster restart, so it is written behind (PersistAsync keeps the order) and the bar
            // does not wait for a second commit. A crash before it lands repeats the unit on
            // restart, and re-writing identical rows changes nothing.
            var applied = new BarsApplied(w.Rows[0].Time, w.Rows[^1].Time, w.Rows.Count);
            _lastApplied = applied.Last;
            _barsSinceSnapshot += applied.Count;
            CopMetrics.FeatureRowsWritten.Inc(w.Changed);
            CopMetrics.FeaturesCalculated.WithLabels(Cop.Trading.Features.FeatureNames.BuilderVersion).Inc(w.Rows.Count);
            CopMetrics.MacroRowsProcessed.WithLabels("features", "inference_features_5m", "upsert").Inc(w.Changed);
            CopMetrics.LastFeatureTimestamp.IncTo(new DateTimeOffset(applied.Last).ToUnixTimeSeconds());   // the sampler reads the table too
            PersistAsync(applied, _ => { });
            if (_barsSinceSnapshot >= _settings.SnapshotEvery)
            {
                SaveSnapshot(new IndicatorSnapshot(_builder.Price.Save()));
                _barsSinceSnapshot = 0;
            }
            var unit = w.Unit with { Built = w.Unit.Built + applied.Count, Changed = w.Unit.Changed + w.Changed };
            Finish(unit, more: applied.Count == _settings.MaxBarsPerUnit && applied.Last < unit.Command.UpTo);
        });
        // A failed load or write leaves the builder ahead of the journal: restart and rebuild. The
        // asker hears of it now (and retries) instead of waiting out its ask timeout.
        Command<Status.Failure>(f =>
        {
            var failure = new BarSeriesException($"{PersistenceId}: a unit of work failed", f.Cause);
            _current?.ReplyTo.Tell(new Status.Failure(failure));
            _current = null;
            throw failure;
        });
        Housekeeping();
        CommandAny(_ => Stash.Stash());
    }

    /// <summary>Answers once the whole range is applied; a range larger than one load continues
    /// after any commands queued meanwhile (they are answered in order).</summary>
    private void Finish(Unit unit, bool more)
    {
        _current = null;
        Become(Ready);
        Stash.UnstashAll();
        if (more) Self.Tell(new Continue(unit));
        else unit.ReplyTo.Tell(new Processed(_symbol, _timeframe, _lastApplied, unit.Built, unit.Changed));
    }

    /// <summary>Stopped (a failure, a kill, a journal it cannot read or write): whoever waits for a
    /// unit, running or stashed, hears it now and asks again once the series is back.</summary>
    protected override void PostStop()
    {
        var gone = new Status.Failure(new BarSeriesException($"{PersistenceId} stopped before answering; ask again", null));
        if (_current is { } unit) unit.ReplyTo.Tell(gone);
        foreach (var envelope in Stash.ClearStash())
            if (envelope.Message is ProcessUpTo) envelope.Sender.Tell(gone);
        base.PostStop();
    }

    /// <summary>Messages handled the same whether a unit of work is running or not.</summary>
    private void Housekeeping()
    {
        // Older snapshots and the events they cover are no longer needed for recovery.
        Command<SaveSnapshotSuccess>(s =>
        {
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
            DeleteMessages(s.Metadata.SequenceNr);
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("{0}: snapshot failed: {1}", PersistenceId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("{0}: deleting old snapshots failed: {1}", PersistenceId, f.Cause.Message));
        Command<DeleteMessagesFailure>(f => _log.Warning("{0}: deleting old events failed: {1}", PersistenceId, f.Cause.Message));
    }

    /// <summary>Live macro values arrive during the day: at most once per refresh interval, load the
    /// rows stored or revised since the last load (a small merge, not the whole history; the
    /// overlap covers clock skew between this host and the database).</summary>
    private Task<IReadOnlyDictionary<string, IEnumerable<MacroObservation>>>? RefreshMacroIfDue()
    {
        var now = DateTime.UtcNow;
        if (now - _macroLoadedAt < _settings.MacroRefresh) return null;
        var since = _macroLoadedAt - TimeSpan.FromMinutes(5);
        _macroLoadedAt = now;
        var log = _log;
        var id = PersistenceId;
        return RefreshAsync();

        async Task<IReadOnlyDictionary<string, IEnumerable<MacroObservation>>> RefreshAsync()
        {
            try { return await _store.LoadMacroAsync(changedSince: since); }
            catch (Exception e)
            {
                log.Warning("{0}: macro refresh failed (kept the values loaded before): {1}", id, e.Message);
                return new Dictionary<string, IEnumerable<MacroObservation>>();
            }
        }
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "{0}: journal rejected {1}", PersistenceId, @event);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }
}

public sealed class BarSeriesException(string message, Exception? inner) : Exception(message, inner);

/// <summary>Tuning of a bar series (hocon: cop.features).</summary>
public sealed record BarSeriesSettings
{
    public int MaxBarsPerUnit { get; init; } = 2_000;
    public int SnapshotEvery { get; init; } = 5_000;
    public TimeSpan MacroRefresh { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
