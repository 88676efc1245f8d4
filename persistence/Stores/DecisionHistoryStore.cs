using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>What trading.model_inferences and trading.trades hold for one model (what `cop replay
/// --verify` compares with the journal), and the repair of the decision-to-trade links.</summary>
public sealed class DecisionHistoryStore(NpgsqlDataSource db)
{
    /// <summary>Every decision row and every trade row of the model, matched per (symbol, bar), in bar order; up to <paramref name="to"/> when given.</summary>
    public async Task<IReadOnlyList<StoredDecision>> ReadAsync(string modelId, DateTime? to = null, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT COALESCE(i.symbol, t.symbol), COALESCE(i.bar_time, t.bar_time), i.observation_hash, i.action, i.confidence, i.risk_verdict,
                   i.latency_ms, i.id IS NOT NULL, t.side, t.quantity, t.price, t.fee_bps, t.position_after, t.equity_after,
                   t.id IS NOT NULL AND i.trade_id IS NOT DISTINCT FROM t.id
            FROM (SELECT * FROM trading.model_inferences WHERE model_id = @m AND (@to::timestamptz IS NULL OR bar_time <= @to)) i
            FULL JOIN (SELECT * FROM trading.trades WHERE model_id = @m AND (@to::timestamptz IS NULL OR bar_time <= @to)) t
              ON t.symbol = i.symbol AND t.bar_time = i.bar_time
            ORDER BY 2, 1
            """);
        cmd.Parameters.AddWithValue("m", modelId);
        cmd.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, (object?)to ?? DBNull.Value);
        var rows = new List<StoredDecision>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            double? D(int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            var trade = r.IsDBNull(8) ? null : new StoredTrade(r.GetString(8), r.GetDouble(9), r.GetDouble(10), r.GetDouble(11), r.GetDouble(12), r.GetDouble(13));
            rows.Add(new StoredDecision(r.GetString(0), r.GetDateTime(1), S(2)?.Trim(), S(3), D(4), S(5), D(6), r.GetBoolean(7), trade, r.GetBoolean(14)));
        }
        return rows;
    }

    /// <summary>A decision row whose trade was written again points at that trade (the live write
    /// links only the trade it inserts with the decision). Returns the rows relinked.</summary>
    public async Task<int> RelinkTradesAsync(string modelId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE trading.model_inferences i SET trade_id = t.id
            FROM trading.trades t
            WHERE i.model_id = @m AND t.model_id = i.model_id AND t.symbol = i.symbol AND t.bar_time = i.bar_time
              AND i.trade_id IS DISTINCT FROM t.id
            """);
        cmd.Parameters.AddWithValue("m", modelId);
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
