using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Actors.Models;
using Cop.Actors.Projections;

namespace Cop.Persistence.Journal;

/// <summary>
/// The journal read back through Akka.Persistence.Query (the SQL plugin's read journal, configured
/// by WithSqlPersistence on the same database as the journal): a model's own events for
/// `cop replay`, and every model's events in journal order (the global `ordering`) for the projections.
/// </summary>
public sealed class ModelJournal(ActorSystem system) : IJournalFeed
{
    private readonly IMaterializer _materializer = system.Materializer();
    private Task<SqlReadJournal>? _journal;

    // The plugin's read journal blocks its constructor (up to 5 s) until the write journal has
    // initialised (created its tables), which on a loaded machine can take longer: made on first use,
    // off the caller's thread, asked again until a timeout (the write journal's initialisation goes
    // on meanwhile; cop.projections.journal-start); a failure after that fails the read, and the next read tries again.
    private async Task<SqlReadJournal> JournalAsync()
    {
        var made = _journal ??= Task.Run(async () =>
        {
            var config = system.Settings.Config;
            var timeout = config.GetTimeSpan("cop.projections.journal-start.timeout", TimeSpan.FromMinutes(1), allowInfinite: false);
            var pause = config.GetTimeSpan("cop.projections.journal-start.retry", TimeSpan.FromMilliseconds(500), allowInfinite: false);
            var until = DateTime.UtcNow + timeout;
            while (true)
            {
                try { return PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier); }
                catch (AggregateException e) when (e.InnerException is AskTimeoutException && DateTime.UtcNow < until) { await Task.Delay(pause); }
                catch (AggregateException e) when (e.InnerException is AskTimeoutException)
                {
                    throw new InvalidOperationException($"the journal (akka.persistence.journal.sql) did not initialise within {timeout.TotalSeconds:F0} s (cop.projections.journal-start.timeout)", e.InnerException);
                }
            }
        });
        try { return await made; }
        catch (Exception)
        {
            _ = Interlocked.CompareExchange(ref _journal, null, made);
            throw;
        }
    }

    /// <summary>Every event of the model, in sequence order (the events the journal holds now).</summary>
    public async Task<IReadOnlyList<object>> EventsAsync(string modelId, CancellationToken ct = default) =>
        await (await JournalAsync()).CurrentEventsByPersistenceId(DeployedModel.PersistenceIdOf(modelId), 0, long.MaxValue)
            .Select(e => e.Event)
            .RunWith(Sink.Seq<object>(), _materializer);

    /// <summary>Up to <paramref name="max"/> model events after the journal offset <paramref name="after"/>
    /// (exclusive), and the offset of the last journal row read (other entities' rows are read past, not returned).</summary>
    public async Task<JournalBatch> ReadAfterAsync(long after, int max, CancellationToken ct = default)
    {
        var rows = await (await JournalAsync()).CurrentAllEvents(Offset.Sequence(after))
            .Take(max)
            .RunWith(Sink.Seq<EventEnvelope>(), _materializer);
        var last = rows.Count == 0 ? after : rows.Max(r => ((Sequence)r.Offset).Value);
        var events = rows.Where(r => r.PersistenceId.StartsWith(DeployedModel.PersistenceIdPrefix, StringComparison.Ordinal))
            .Select(r => new JournalEvent(((Sequence)r.Offset).Value, r.PersistenceId[DeployedModel.PersistenceIdPrefix.Length..], r.SequenceNr, r.Event))
            .ToList();
        return new JournalBatch(events, last, rows.Count == max);
    }
}
