using Cop.Persistence.Schema;
using Cop.Trading;
using Cop.Trading.Validation;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>
/// The ingester's side of the bar table, as <see cref="IngesterRole"/>: what is stored already
/// (for duplicate, order and jump checks), and one transaction per batch that stores the
/// accepted bars, records repairs and quarantines the rejected ones with their reason.
/// </summary>
public sealed class BarStore : Cop.Streams.Ingestion.IBarArchive, IAsyncDisposable
{
    public const string IngesterRole = "cop_ingester";
    private readonly NpgsqlDataSource _db;

    public BarStore(string connectionString) =>
        _db = NpgsqlDataSource.Create(ConnectionStrings.AsRole(connectionString, IngesterRole, "cop-ingester"));

    public async Task<Dictionary<string, SeriesTail>> LoadTailsAsync(CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("""
            SELECT DISTINCT ON (symbol) symbol, time, close FROM usdcop_m5_ohlcv ORDER BY symbol, time DESC
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var tails = new Dictionary<string, SeriesTail>();
        while (await r.ReadAsync(ct)) tails[r.GetString(0)] = new SeriesTail(r.GetDateTime(1), r.GetDouble(2));
        return tails;
    }

    /// <summary>Stored bars between two instants by (symbol, time), for the duplicate check: a bar
    /// sent again with other prices is told apart from a plain re-send.</summary>
    public async Task<Dictionary<(string, DateTime), Bar>> StoredBarsAsync(DateTime from, DateTime to, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("SELECT symbol, time, open, high, low, close, volume FROM usdcop_m5_ohlcv WHERE time BETWEEN @f AND @t");
        cmd.Parameters.AddWithValue("f", NpgsqlDbType.TimestampTz, from);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.TimestampTz, to);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var bars = new Dictionary<(string, DateTime), Bar>();
        while (await r.ReadAsync(ct))
            bars[(r.GetString(0), r.GetDateTime(1))] = new Bar(r.GetDateTime(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5),
                r.IsDBNull(6) ? 0 : r.GetDouble(6));
        return bars;
    }

    /// <summary>Stores a validated batch atomically. Returns the bars inserted (a row another
    /// writer stored meanwhile is skipped, not duplicated).</summary>
    public async Task<int> StoreAsync(ValidationResult batch, string quarantineSource, CancellationToken ct = default)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var inserted = 0;
        var accepted = batch.Accepted;
        if (accepted.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO usdcop_m5_ohlcv (time, symbol, open, high, low, close, volume, source)
                SELECT * FROM unnest(@t, @s, @o, @h, @l, @c, @v, @src)
                ON CONFLICT (symbol, time) DO NOTHING
                """, conn, tx);
            cmd.Parameters.AddWithValue("t", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, accepted.Select(a => a.Bar.Time).ToArray());
            cmd.Parameters.AddWithValue("s", accepted.Select(a => a.Raw.Symbol).ToArray());
            cmd.Parameters.AddWithValue("o", accepted.Select(a => a.Bar.Open).ToArray());
            cmd.Parameters.AddWithValue("h", accepted.Select(a => a.Bar.High).ToArray());
            cmd.Parameters.AddWithValue("l", accepted.Select(a => a.Bar.Low).ToArray());
            cmd.Parameters.AddWithValue("c", accepted.Select(a => a.Bar.Close).ToArray());
            cmd.Parameters.AddWithValue("v", accepted.Select(a => a.Bar.Volume).ToArray());
            cmd.Parameters.AddWithValue("src", accepted.Select(a => a.Raw.Source).ToArray());
            inserted = await cmd.ExecuteNonQueryAsync(ct);
        }
        var repaired = accepted.Where(a => a.Repair is not null).ToList();
        if (repaired.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO bar_repairs (symbol, time, original_time, rule, origin)
                SELECT * FROM unnest(@s, @t, @orig, @rule, @origin) ON CONFLICT DO NOTHING
                """, conn, tx);
            cmd.Parameters.AddWithValue("s", repaired.Select(a => a.Raw.Symbol).ToArray());
            cmd.Parameters.AddWithValue("t", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, repaired.Select(a => a.Bar.Time).ToArray());
            cmd.Parameters.AddWithValue("orig", repaired.Select(a => a.Raw.Time.ToString("yyyy-MM-dd HH:mm:sszzz")).ToArray());
            cmd.Parameters.AddWithValue("rule", repaired.Select(a => a.Repair!).ToArray());
            cmd.Parameters.AddWithValue("origin", repaired.Select(a => a.Raw.Origin).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (batch.Rejected.Count > 0)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO quarantine (source, raw_payload, reason, reason_code)
                SELECT * FROM unnest(@src, @raw, @reason, @code)
                """, conn, tx);
            cmd.Parameters.AddWithValue("src", batch.Rejected.Select(_ => quarantineSource).ToArray());
            cmd.Parameters.AddWithValue("raw", batch.Rejected.Select(r => r.Raw.Raw.Replace("\0", "\\0")).ToArray());
            cmd.Parameters.AddWithValue("reason", batch.Rejected.Select(r => r.Message).ToArray());
            cmd.Parameters.AddWithValue("code", batch.Rejected.Select(r => r.Reason.Code()).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return inserted;
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();
}
