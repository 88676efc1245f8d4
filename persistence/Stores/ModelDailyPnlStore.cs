using Cop.Actors.Projections;
using Cop.Trading.Decisions;
using Npgsql;

namespace Cop.Persistence.Stores;

/// <summary>
/// The model-daily-pnl projection's rows (trading.model_daily_pnl) and its offset
/// (system.projection_offsets). A batch is folded through the domain's <see cref="DailyPnl.Next"/>
/// from each model's latest stored day and written with its last offset in one transaction, after
/// checking (row lock) that the stored offset is the one the batch was read after.
/// </summary>
public sealed class ModelDailyPnlStore(NpgsqlDataSource db) : IProjectionStore
{
    public const string Projection = "model-daily-pnl";
    public string Name => Projection;

    public async Task<long> OffsetAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT journal_offset FROM system.projection_offsets WHERE projection = @p");
        cmd.Parameters.AddWithValue("p", Projection);
        return await cmd.ExecuteScalarAsync(ct) is long o ? o : 0;
    }

    public async Task ApplyAsync(long from, JournalBatch batch, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var ensure = new NpgsqlCommand("""
            INSERT INTO system.projection_offsets (projection, journal_offset) VALUES (@p, 0) ON CONFLICT DO NOTHING;
            """, conn, tx))
        {
            ensure.Parameters.AddWithValue("p", Projection);
            await ensure.ExecuteNonQueryAsync(ct);
        }
        await using (var check = new NpgsqlCommand("SELECT journal_offset FROM system.projection_offsets WHERE projection = @p FOR UPDATE", conn, tx))
        {
            check.Parameters.AddWithValue("p", Projection);
            var stored = (long)(await check.ExecuteScalarAsync(ct))!;
            if (stored != from) throw new ProjectionMovedException(Projection, from, stored);
        }

        var decided = batch.Events.Where(e => e.Event is ModelDecided).ToList();
        var latest = await LatestAsync(conn, tx, [.. decided.Select(e => e.ModelId).Distinct()], ct);
        var changed = new Dictionary<(string, DateOnly), DailyPnl>();
        foreach (var e in decided.OrderBy(e => e.Offset))
        {
            var row = DailyPnl.Next(latest.GetValueOrDefault(e.ModelId), e.ModelId, (ModelDecided)e.Event);
            latest[e.ModelId] = row;
            changed[(row.ModelId, row.Day)] = row;
        }
        await using (var write = new NpgsqlBatch(conn, tx))
        {
            foreach (var r in changed.Values)
            {
                var cmd = new NpgsqlBatchCommand("""
                    INSERT INTO trading.model_daily_pnl (model_id, day, symbol, decisions, approved, trades, buys, sells, volume, costs,
                        equity_open, equity_close, equity_low, equity_high, pnl, first_bar, last_bar)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                    ON CONFLICT (model_id, day) DO UPDATE SET symbol = EXCLUDED.symbol, decisions = EXCLUDED.decisions, approved = EXCLUDED.approved,
                        trades = EXCLUDED.trades, buys = EXCLUDED.buys, sells = EXCLUDED.sells, volume = EXCLUDED.volume, costs = EXCLUDED.costs,
                        equity_open = EXCLUDED.equity_open, equity_close = EXCLUDED.equity_close, equity_low = EXCLUDED.equity_low,
                        equity_high = EXCLUDED.equity_high, pnl = EXCLUDED.pnl, first_bar = EXCLUDED.first_bar, last_bar = EXCLUDED.last_bar
                    """);
                foreach (var v in new object[] { r.ModelId, r.Day, r.Symbol, r.Decisions, r.Approved, r.Trades, r.Buys, r.Sells, r.Volume, r.Costs,
                             r.EquityOpen, r.EquityClose, r.EquityLow, r.EquityHigh, r.Pnl, r.FirstBar, r.LastBar })
                    cmd.Parameters.Add(new NpgsqlParameter { Value = v });
                write.BatchCommands.Add(cmd);
            }
            var offset = new NpgsqlBatchCommand("UPDATE system.projection_offsets SET journal_offset = $1, updated_at = now() WHERE projection = $2");
            offset.Parameters.Add(new NpgsqlParameter { Value = batch.LastOffset });
            offset.Parameters.Add(new NpgsqlParameter { Value = Projection });
            write.BatchCommands.Add(offset);
            await write.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task ResetAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO system.projection_offsets (projection, journal_offset) VALUES (@p, 0)
            ON CONFLICT (projection) DO UPDATE SET journal_offset = 0, updated_at = now();
            DELETE FROM trading.model_daily_pnl;
            """, conn, tx);
        cmd.Parameters.AddWithValue("p", Projection);
        await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>All rows, by model and day (for `cop projections` and the tests).</summary>
    public async Task<IReadOnlyList<DailyPnl>> ReadAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return [.. (await ReadRowsAsync(new NpgsqlCommand($"{Select} ORDER BY model_id, day", conn), ct))];
    }

    private const string Select = """
        SELECT model_id, day, symbol, decisions, approved, trades, buys, sells, volume, costs, equity_open, equity_close, equity_low, equity_high, first_bar, last_bar
        FROM trading.model_daily_pnl
        """;

    private static async Task<Dictionary<string, DailyPnl>> LatestAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string[] models, CancellationToken ct)
    {
        if (models.Length == 0) return [];
        var cmd = new NpgsqlCommand($"SELECT DISTINCT ON (model_id) * FROM ({Select} WHERE model_id = ANY(@m)) x ORDER BY model_id, day DESC", conn, tx);
        cmd.Parameters.AddWithValue("m", models);
        return (await ReadRowsAsync(cmd, ct)).ToDictionary(r => r.ModelId);
    }

    private static async Task<List<DailyPnl>> ReadRowsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var _ = cmd;
        var rows = new List<DailyPnl>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new DailyPnl(r.GetString(0), r.GetFieldValue<DateOnly>(1), r.GetString(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5), r.GetInt32(6),
                r.GetInt32(7), r.GetDouble(8), r.GetDouble(9), r.GetDouble(10), r.GetDouble(11), r.GetDouble(12), r.GetDouble(13), r.GetDateTime(14), r.GetDateTime(15)));
        return rows;
    }
}
