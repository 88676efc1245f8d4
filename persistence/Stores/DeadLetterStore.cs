using Cop.Streams.Decisions;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>
/// system.dead_letter_queue with the spec's retry schedule: a failed event is retried after 1 min,
/// then 5 min, then 15 min; a failure after the last retry marks it EXHAUSTED (kept, listed, never
/// dropped). Recording the same event again (it failed again before its retry) keeps one row.
/// </summary>
public sealed class DeadLetterStore(NpgsqlDataSource db) : IDeadLetterQueue
{
    public static readonly TimeSpan[] Schedule = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)];

    public async Task AddAsync(string eventId, string eventType, DateTime? eventTime, string payloadJson, string error, DateTime now, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO system.dead_letter_queue (event_id, event_type, event_timestamp, payload, error_message, max_retries, next_retry_at, last_attempted_at)
            VALUES (@id, @type, @ts, @payload::jsonb, @error, @max, @next, @now)
            ON CONFLICT (event_id) DO UPDATE SET error_message = EXCLUDED.error_message, last_attempted_at = EXCLUDED.last_attempted_at
            """);
        cmd.Parameters.AddWithValue("id", eventId);
        cmd.Parameters.AddWithValue("type", eventType);
        cmd.Parameters.AddWithValue("ts", NpgsqlDbType.TimestampTz, (object?)eventTime ?? DBNull.Value);
        cmd.Parameters.AddWithValue("payload", payloadJson);
        cmd.Parameters.AddWithValue("error", error);
        cmd.Parameters.AddWithValue("max", Schedule.Length);
        cmd.Parameters.AddWithValue("next", NpgsqlDbType.TimestampTz, now + Schedule[0]);
        cmd.Parameters.AddWithValue("now", NpgsqlDbType.TimestampTz, now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<DeadLetter>> DueAsync(DateTime now, int limit = 100, CancellationToken ct = default) =>
        await QueryAsync("WHERE status = 'PENDING' AND next_retry_at <= @now ORDER BY next_retry_at LIMIT @limit", ct, ("now", now), ("limit", limit));

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string? status = null, CancellationToken ct = default) =>
        await QueryAsync("WHERE @status::text IS NULL OR status = @status ORDER BY id", ct, ("status", (object?)status ?? DBNull.Value));

    /// <summary>The outcome of one retry: resolved, or rescheduled by the schedule, or exhausted.</summary>
    public async Task<string> RecordRetryAsync(long id, bool succeeded, string? error, DateTime now, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE system.dead_letter_queue SET
                retry_count = retry_count + 1,
                last_attempted_at = @now,
                error_message = COALESCE(@error, error_message),
                status = CASE WHEN @ok THEN 'RESOLVED' WHEN retry_count + 1 >= max_retries THEN 'EXHAUSTED' ELSE 'PENDING' END,
                next_retry_at = CASE WHEN @ok OR retry_count + 1 >= max_retries THEN NULL
                                     ELSE @now + (@schedule::interval[])[retry_count + 2] END
            WHERE id = @id
            RETURNING status
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("ok", succeeded);
        cmd.Parameters.AddWithValue("error", (object?)error ?? DBNull.Value);
        cmd.Parameters.AddWithValue("now", NpgsqlDbType.TimestampTz, now);
        cmd.Parameters.AddWithValue("schedule", Schedule);
        return (string?)await cmd.ExecuteScalarAsync(ct) ?? throw new ArgumentException($"no dead letter {id}");
    }

    /// <summary>`cop dlq retry`: makes an entry due now (an EXHAUSTED one gets one more attempt).</summary>
    public async Task RetryNowAsync(long id, DateTime now, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE system.dead_letter_queue SET status = 'PENDING', next_retry_at = @now,
                max_retries = GREATEST(max_retries, retry_count + 1)
            WHERE id = @id AND status <> 'RESOLVED'
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("now", NpgsqlDbType.TimestampTz, now);
        if (await cmd.ExecuteNonQueryAsync(ct) == 0) throw new ArgumentException($"no pending or exhausted dead letter with id {id}");
    }

    /// <summary>`cop dlq skip`: the model may pass this bar undecided. Recorded in
    /// trading.decision_skips (who, when, why), which the held model reads; the entry becomes SKIPPED.</summary>
    public async Task<(string Model, string Symbol, DateTime Bar)> SkipAsync(long id, string by, string reason, DateTime now, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("--reason must say why the bar is skipped");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            WITH letter AS (
                SELECT id, payload->>'model' AS model_id, payload->>'symbol' AS symbol, (payload->>'bar_time')::timestamptz AS bar_time
                FROM system.dead_letter_queue
                WHERE id = @id AND event_type = @type AND status IN ('PENDING', 'EXHAUSTED')
                FOR UPDATE),
            skip AS (
                INSERT INTO trading.decision_skips (model_id, symbol, bar_time, dead_letter_id, skipped_by, skipped_at, reason)
                SELECT model_id, symbol, bar_time, id, @by, @now, @reason FROM letter
                ON CONFLICT (model_id, symbol, bar_time) DO NOTHING)
            UPDATE system.dead_letter_queue d SET status = 'SKIPPED', next_retry_at = NULL, last_attempted_at = @now
            FROM letter WHERE d.id = letter.id
            RETURNING letter.model_id, letter.symbol, letter.bar_time
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("type", "decide_bar");
        cmd.Parameters.AddWithValue("by", by);
        cmd.Parameters.AddWithValue("reason", reason.Trim());
        cmd.Parameters.AddWithValue("now", NpgsqlDbType.TimestampTz, now);
        (string, string, DateTime)? skipped = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct)) skipped = (r.GetString(0), r.GetString(1), r.GetDateTime(2));
        if (skipped is null) throw new ArgumentException($"no pending or exhausted bar decision with dead-letter id {id}");
        await tx.CommitAsync(ct);
        return skipped.Value;
    }

    private async Task<IReadOnlyList<DeadLetter>> QueryAsync(string where, CancellationToken ct, params (string, object)[] args)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT id, event_id, event_type, event_timestamp, payload::text, error_message, retry_count, max_retries, next_retry_at, status, created_at
            FROM system.dead_letter_queue {where}
            """);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<DeadLetter>();
        while (await r.ReadAsync(ct))
            list.Add(new DeadLetter(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetDateTime(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.GetInt32(6), r.GetInt32(7), r.IsDBNull(8) ? null : r.GetDateTime(8), r.GetString(9), r.GetDateTime(10)));
        return list;
    }
}
