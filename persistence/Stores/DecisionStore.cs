using Cop.Actors.Models;
using Cop.Trading.Decisions;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>
/// Decisions and paper fills. Keyed (model, symbol, bar) in both tables, written with ON CONFLICT
/// DO NOTHING in one transaction: writing the same decision again (a replay, a recovery that
/// re-logs its last events) leaves exactly one row of each.
/// </summary>
public sealed class DecisionStore(NpgsqlDataSource db) : IDecisionLog
{
    public async Task WriteAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken ct = default)
    {
        if (decisions.Count == 0) return;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var fills = decisions.Where(d => d.Fill is not null).ToList();
        if (fills.Count > 0)
        {
            await using var trades = new NpgsqlCommand("""
                INSERT INTO trading.trades (model_id, symbol, bar_time, side, quantity, price, fee_bps, position_after, equity_after)
                SELECT * FROM unnest(@m, @s, @t, @side, @q, @p, @fee, @pos, @eq)
                ON CONFLICT (model_id, symbol, bar_time) DO NOTHING
                """, conn, tx);
            trades.Parameters.AddWithValue("m", fills.Select(d => d.ModelId).ToArray());
            trades.Parameters.AddWithValue("s", fills.Select(d => d.Symbol).ToArray());
            trades.Parameters.AddWithValue("t", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, fills.Select(d => d.BarTime).ToArray());
            trades.Parameters.AddWithValue("side", fills.Select(d => d.Fill!.To > d.Fill.From ? "BUY" : "SELL").ToArray());
            trades.Parameters.AddWithValue("q", fills.Select(d => (double)Math.Abs(d.Fill!.To - d.Fill.From)).ToArray());
            trades.Parameters.AddWithValue("p", fills.Select(d => d.Fill!.Price).ToArray());
            trades.Parameters.AddWithValue("fee", fills.Select(d => Math.Abs(d.Fill!.Price / d.Fill.MidPrice - 1) * 10_000).ToArray());
            trades.Parameters.AddWithValue("pos", fills.Select(d => (double)d.Fill!.To).ToArray());
            trades.Parameters.AddWithValue("eq", fills.Select(d => d.EquityAfter).ToArray());
            await trades.ExecuteNonQueryAsync(ct);
        }
        await using var inferences = new NpgsqlCommand("""
            INSERT INTO trading.model_inferences (model_id, symbol, bar_time, observation_hash, action, confidence, risk_verdict, latency_ms, trade_id)
            SELECT u.m, u.s, u.t, u.h, u.a, u.c, u.v, u.l, tr.id
            FROM unnest(@m, @s, @t, @h, @a, @c, @v, @l) AS u(m, s, t, h, a, c, v, l)
            LEFT JOIN trading.trades tr ON tr.model_id = u.m AND tr.symbol = u.s AND tr.bar_time = u.t
            ON CONFLICT (model_id, symbol, bar_time) DO NOTHING
            """, conn, tx);
        inferences.Parameters.AddWithValue("m", decisions.Select(d => d.ModelId).ToArray());
        inferences.Parameters.AddWithValue("s", decisions.Select(d => d.Symbol).ToArray());
        inferences.Parameters.AddWithValue("t", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, decisions.Select(d => d.BarTime).ToArray());
        inferences.Parameters.AddWithValue("h", decisions.Select(d => d.ObservationHash).ToArray());
        inferences.Parameters.AddWithValue("a", decisions.Select(d => d.Action.ToString().ToUpperInvariant()).ToArray());
        inferences.Parameters.AddWithValue("c", decisions.Select(d => d.Confidence).ToArray());
        inferences.Parameters.AddWithValue("v", decisions.Select(d => d.Verdict.ToString()).ToArray());
        inferences.Parameters.AddWithValue("l", decisions.Select(d => d.LatencyMs).ToArray());
        await inferences.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }
}
