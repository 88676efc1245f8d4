using Cop.Actors.Models;
using Cop.Actors.Telemetry;
using Cop.Trading.Decisions;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>
/// Decisions and paper fills. Keyed (model, symbol, bar) in both tables and written by ONE
/// statement (the trades insert is a CTE the decisions join for their trade id), so a write is one
/// round trip and atomic without an explicit transaction; ON CONFLICT DO NOTHING makes writing the
/// same decision again (a replay, a recovery that re-logs its last events) leave exactly one row
/// of each.
/// </summary>
public sealed class DecisionStore(NpgsqlDataSource db) : IDecisionLog
{
    private const string Sql = """
        WITH d AS (
            SELECT * FROM unnest(@m, @s, @t, @h, @a, @c, @v, @l, @side, @q, @p, @fee, @pos, @eq)
                AS u(m, s, t, h, a, c, v, l, side, q, p, fee, pos, eq)),
        tr AS (
            INSERT INTO trading.trades (model_id, symbol, bar_time, side, quantity, price, fee_bps, position_after, equity_after)
            SELECT m, s, t, side, q, p, fee, pos, eq FROM d WHERE side IS NOT NULL
            ON CONFLICT (model_id, symbol, bar_time) DO NOTHING
            RETURNING id, model_id, symbol, bar_time)
        INSERT INTO trading.model_inferences (model_id, symbol, bar_time, observation_hash, action, confidence, risk_verdict, latency_ms, trade_id)
        SELECT d.m, d.s, d.t, d.h, d.a, d.c, d.v, d.l, COALESCE(tr.id, old.id)
        FROM d
        LEFT JOIN tr ON tr.model_id = d.m AND tr.symbol = d.s AND tr.bar_time = d.t
        LEFT JOIN trading.trades old ON d.side IS NOT NULL AND old.model_id = d.m AND old.symbol = d.s AND old.bar_time = d.t
        ON CONFLICT (model_id, symbol, bar_time) DO NOTHING
        RETURNING model_id, action, risk_verdict,
            (SELECT o.ingested_at FROM usdcop_m5_ohlcv o WHERE o.symbol = model_inferences.symbol AND o.time = model_inferences.bar_time)
        """;

    public async Task WriteAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken ct = default)
    {
        if (decisions.Count == 0) return;
        await using var cmd = db.CreateCommand(Sql);
        cmd.Parameters.AddWithValue("m", decisions.Select(d => d.ModelId).ToArray());
        cmd.Parameters.AddWithValue("s", decisions.Select(d => d.Symbol).ToArray());
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, decisions.Select(d => d.BarTime).ToArray());
        cmd.Parameters.AddWithValue("h", decisions.Select(d => d.ObservationHash).ToArray());
        cmd.Parameters.AddWithValue("a", decisions.Select(d => d.Action.ToString().ToUpperInvariant()).ToArray());
        cmd.Parameters.AddWithValue("c", decisions.Select(d => d.Confidence).ToArray());
        cmd.Parameters.AddWithValue("v", decisions.Select(d => d.Verdict.ToString()).ToArray());
        cmd.Parameters.AddWithValue("l", decisions.Select(d => d.LatencyMs).ToArray());
        // Decisions without a fill carry NULLs here and insert no trade.
        cmd.Parameters.AddWithValue("side", NpgsqlDbType.Array | NpgsqlDbType.Text,
            decisions.Select(d => d.Fill is { } f ? (f.To > f.From ? "BUY" : "SELL") : null).ToArray());
        cmd.Parameters.AddWithValue("q", NpgsqlDbType.Array | NpgsqlDbType.Double, decisions.Select(d => d.Fill is { } f ? (double?)Math.Abs(f.To - f.From) : null).ToArray());
        cmd.Parameters.AddWithValue("p", NpgsqlDbType.Array | NpgsqlDbType.Double, decisions.Select(d => d.Fill?.Price).ToArray());
        cmd.Parameters.AddWithValue("fee", NpgsqlDbType.Array | NpgsqlDbType.Double,
            decisions.Select(d => d.Fill is { } f ? (double?)(Math.Abs(f.Price / f.MidPrice - 1) * 10_000) : null).ToArray());
        cmd.Parameters.AddWithValue("pos", NpgsqlDbType.Array | NpgsqlDbType.Double, decisions.Select(d => d.Fill is { } f ? (double?)f.To : null).ToArray());
        cmd.Parameters.AddWithValue("eq", decisions.Select(d => d.EquityAfter).ToArray());
        // Each row inserted (not a re-written one) is a decision committed now (autocommit): its
        // end-to-end latency runs from the bar's commit (ingested_at, the insert's transaction time).
        var committed = new List<(string Model, string Action, string Verdict, DateTime? BarCommitted)>(decisions.Count);
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                committed.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetDateTime(3)));
        var now = DateTime.UtcNow;
        foreach (var (model, action, verdict, at) in committed)
        {
            CopMetrics.Decisions.WithLabels(model, action, verdict).Inc();
            if (at is { } bar) CopMetrics.E2ELatency.WithLabels(model).Observe(Math.Max(0, (now - bar).TotalSeconds));
        }
        foreach (var newest in decisions.GroupBy(d => d.ModelId).Select(g => g.MaxBy(d => d.BarTime)!))
            CopMetrics.PaperEquity.WithLabels(newest.ModelId).Set(newest.EquityAfter);
    }

    /// <summary>Whether the model's decision row for the bar is stored (what resolving its dead letter needs).</summary>
    public async Task<bool> ExistsAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM trading.model_inferences WHERE model_id = @m AND symbol = @s AND bar_time = @t)");
        cmd.Parameters.AddWithValue("m", modelId);
        cmd.Parameters.AddWithValue("s", symbol);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.TimestampTz, barTime);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
