using Cop.Trading.Features;
using Cop.Persistence.Schema;
using Cop.Streams.Notifications;
using Cop.Trading;
using Npgsql;

namespace Cop.Persistence.Notifications;

/// <summary>A channel's rows and LISTEN on PostgreSQL: a dedicated (unpooled) connection per
/// listener, pooled connections for polling.</summary>
public sealed class PostgresRowEventFeed<TEvent>(string connectionString, NpgsqlDataSource pooled, RowTable<TEvent> rows)
    : IRowEventFeed<TEvent> where TEvent : IRowEvent
{
    public string Table => rows.Table;

    public async Task<IRowListener<TEvent>> ListenAsync(string listenerName, IReadOnlyList<string> channels,
        Action<string, string> onNotification, CancellationToken ct)
    {
        var conn = new NpgsqlConnection(ConnectionStrings.Dedicated(connectionString, listenerName));
        var listener = new Listener(conn, rows, onNotification);
        try
        {
            await conn.OpenAsync(ct);
            // Channel names come from the allow-list (Channels.Name), never from input.
            await using var listen = new NpgsqlCommand(string.Concat(channels.Select(c => $"LISTEN {c};")), conn);
            await listen.ExecuteNonQueryAsync(ct);
            return listener;
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }
    }

    public async Task<List<TEvent>> ReadAfterAsync(Dictionary<string, DateTime> cursor, InstrumentCatalogue instruments,
        int batchSize, EventOrigin origin, CancellationToken ct)
    {
        await using var conn = await pooled.OpenConnectionAsync(ct);
        return await CatchUpQuery.ReadBatchAsync(conn, rows, cursor, instruments, batchSize, origin, ct);
    }

    private sealed class Listener : IRowListener<TEvent>
    {
        private readonly NpgsqlConnection _conn;
        private readonly RowTable<TEvent> _rows;
        private readonly NotificationEventHandler _handler;

        public Listener(NpgsqlConnection conn, RowTable<TEvent> rows, Action<string, string> onNotification)
        {
            (_conn, _rows) = (conn, rows);
            _handler = (_, n) => onNotification(n.Channel, n.Payload);
            _conn.Notification += _handler;
        }

        public Task<List<TEvent>> ReadAfterAsync(Dictionary<string, DateTime> cursor, InstrumentCatalogue instruments,
            int batchSize, EventOrigin origin, CancellationToken ct) =>
            CatchUpQuery.ReadBatchAsync(_conn, _rows, cursor, instruments, batchSize, origin, ct);

        public Task<HashSet<(string, DateTime)>> ExistingAsync(IReadOnlyCollection<(string Symbol, DateTime Time)> keys, CancellationToken ct) =>
            CatchUpQuery.ExistingAsync(_conn, _rows, keys, ct);

        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _conn.WaitAsync(timeout, ct);

        public async Task ProbeAsync(CancellationToken ct)
        {
            await using var probe = new NpgsqlCommand("SELECT 1", _conn);
            await probe.ExecuteScalarAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            _conn.Notification -= _handler;
            try { await _conn.DisposeAsync(); } catch (Exception) { /* the connection may already be dead */ }
        }
    }
}

/// <summary>Reads committed rows after a per-symbol cursor, oldest first, a batch at a time.
/// Shared by catch-up (on the listener's own connection) and polling (pooled connections).
/// Only the catalogue's symbols are read: a row of any other symbol (a direct INSERT) is never an event.</summary>
internal static class CatchUpQuery
{
    public static async Task<List<TEvent>> ReadBatchAsync<TEvent>(
        NpgsqlConnection conn, RowTable<TEvent> table, Dictionary<string, DateTime> cursor, InstrumentCatalogue instruments,
        int batchSize, EventOrigin origin, CancellationToken ct) where TEvent : IRowEvent
    {
        // Table and columns come from RowTable constants; values are parameters, and the symbols
        // are the configured catalogue, never a string read from a payload or a row.
        // o.time > @floor lets the time index serve the read; symbols the consumer has never
        // seen start at -infinity (Npgsql maps DateTime.MinValue to it).
        var sql = $"""
            SELECT {table.SelectColumns}
              FROM {table.Table} o
              JOIN unnest(@symbols::text[], @afters::timestamptz[]) AS w(symbol, after) ON w.symbol = o.symbol
             WHERE o.time > @floor AND o.time > w.after
             ORDER BY o.time, o.symbol
             LIMIT @n
            """;
        var symbols = instruments.Symbols.ToArray();
        var afters = symbols.Select(sym => DateTime.SpecifyKind(cursor.TryGetValue(sym, out var t) ? t : DateTime.MinValue, DateTimeKind.Utc)).ToArray();
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("symbols", symbols);
        cmd.Parameters.AddWithValue("afters", afters);
        cmd.Parameters.AddWithValue("floor", afters.Min());
        cmd.Parameters.AddWithValue("n", batchSize);
        var rows = new List<TEvent>(Math.Min(batchSize, 1024));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var e = table.FromRow(r, origin);
            rows.Add(e);
            cursor[e.Symbol] = e.Time;
        }
        return rows;
    }

    public static async Task<HashSet<(string, DateTime)>> ExistingAsync<TEvent>(NpgsqlConnection conn, RowTable<TEvent> table,
        IReadOnlyCollection<(string Symbol, DateTime Time)> keys, CancellationToken ct) where TEvent : IRowEvent
    {
        var found = new HashSet<(string, DateTime)>();
        if (keys.Count == 0) return found;
        await using var cmd = new NpgsqlCommand($"""
            SELECT k.symbol, k.time FROM unnest(@s::text[], @t::timestamptz[]) AS k(symbol, time)
             WHERE EXISTS (SELECT 1 FROM {table.Table} o WHERE o.symbol = k.symbol AND o.time = k.time)
            """, conn);
        cmd.Parameters.AddWithValue("s", keys.Select(k => k.Symbol).ToArray());
        cmd.Parameters.AddWithValue("t", keys.Select(k => DateTime.SpecifyKind(k.Time, DateTimeKind.Utc)).ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) found.Add((r.GetString(0), r.GetDateTime(1)));
        return found;
    }
}
