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
    private readonly SqlReadJournal _journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
    private readonly IMaterializer _materializer = system.Materializer();

    /// <summary>Every event of the model, in sequence order (the events the journal holds now).</summary>
    public async Task<IReadOnlyList<object>> EventsAsync(string modelId, CancellationToken ct = default) =>
        await _journal.CurrentEventsByPersistenceId(DeployedModel.PersistenceIdOf(modelId), 0, long.MaxValue)
            .Select(e => e.Event)
            .RunWith(Sink.Seq<object>(), _materializer);

    /// <summary>Up to <paramref name="max"/> model events after the journal offset <paramref name="after"/>
    /// (exclusive), and the offset of the last journal row read (other entities' rows are read past, not returned).</summary>
    public async Task<JournalBatch> ReadAfterAsync(long after, int max, CancellationToken ct = default)
    {
        var rows = await _journal.CurrentAllEvents(Offset.Sequence(after))
            .Take(max)
            .RunWith(Sink.Seq<EventEnvelope>(), _materializer);
        var last = rows.Count == 0 ? after : rows.Max(r => ((Sequence)r.Offset).Value);
        var events = rows.Where(r => r.PersistenceId.StartsWith(DeployedModel.PersistenceIdPrefix, StringComparison.Ordinal))
            .Select(r => new JournalEvent(((Sequence)r.Offset).Value, r.PersistenceId[DeployedModel.PersistenceIdPrefix.Length..], r.SequenceNr, r.Event))
            .ToList();
        return new JournalBatch(events, last, rows.Count == max);
    }
}
