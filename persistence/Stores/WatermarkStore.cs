using Npgsql;

namespace Cop.Persistence.Stores;

/// <summary>
/// Durable watermarks: per consumer and symbol, the time of the last event whose downstream
/// work committed. Only moves forward (GREATEST), so a late or repeated commit cannot rewind it.
/// </summary>
public sealed class WatermarkStore(NpgsqlDataSource db) : Cop.Streams.Notifications.IWatermarkStore
{
    public async Task<IReadOnlyDictionary<string, DateTime>> LoadAsync(string consumer, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT symbol, last_time FROM system.stream_watermarks WHERE consumer = @c");
        cmd.Parameters.AddWithValue("c", consumer);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var result = new Dictionary<string, DateTime>();
        while (await r.ReadAsync(ct)) result[r.GetString(0)] = r.GetDateTime(1);
        return result;
    }

    public async Task AdvanceAsync(string consumer, IReadOnlyDictionary<string, DateTime> bySymbol, CancellationToken ct = default)
    {
        if (bySymbol.Count == 0) return;
        await using var batch = db.CreateBatch();
        foreach (var (symbol, time) in bySymbol)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO system.stream_watermarks (consumer, symbol, last_time) VALUES (@c, @s, @t)
                ON CONFLICT (consumer, symbol) DO UPDATE
                   SET last_time = GREATEST(system.stream_watermarks.last_time, EXCLUDED.last_time),
                       updated_at = NOW()
                """);
            cmd.Parameters.AddWithValue("c", consumer);
            cmd.Parameters.AddWithValue("s", symbol);
            cmd.Parameters.AddWithValue("t", DateTime.SpecifyKind(time, DateTimeKind.Utc));
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }
}
