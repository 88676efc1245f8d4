using Npgsql;

namespace Cop.Persistence.Promotion;

/// <summary>A registry row with what the running service did with it.</summary>
public sealed record ModelOverview(string ModelId, string Version, string Status, bool KillSwitch, string? LastError,
    DateTime? TrainingStart, DateTime? TrainingEnd, string FileSha256, string FeatureOrderHash, string NormStatsHash, string? Experiment,
    DateTime RegisteredAt, DateTime? DeployedAt, long Decisions, DateTime? LastBar, string? LastAction, string? LastVerdict, double? Equity);

/// <summary>One decision of a model as the web UI lists it.</summary>
public sealed record DecisionView(DateTime BarTime, string Action, double Confidence, string Verdict, double? LatencyMs, DateTime DecidedAt);

/// <summary>A point of a model's paper equity (after each fill).</summary>
public sealed record EquityView(DateTime BarTime, double Equity, double Position);

/// <summary>The Models page's reads: the registry, each model's decisions and paper equity.</summary>
public sealed class ModelOverviewStore(NpgsqlDataSource db)
{
    public async Task<IReadOnlyList<ModelOverview>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT m.model_id, m.model_version, m.status, m.kill_switch, m.last_error, m.training_start_date, m.training_end_date,
                   m.file_sha256, m.feature_order_hash, m.norm_stats_hash, m.experiment_name, m.registered_at, m.deployed_at,
                   coalesce(d.n, 0), l.bar_time, l.action, l.risk_verdict, t.equity_after
            FROM model_registry m
            LEFT JOIN LATERAL (SELECT count(*) AS n FROM trading.model_inferences i WHERE i.model_id = m.model_id) d ON TRUE
            LEFT JOIN LATERAL (SELECT bar_time, action, risk_verdict FROM trading.model_inferences i
                               WHERE i.model_id = m.model_id ORDER BY bar_time DESC LIMIT 1) l ON TRUE
            LEFT JOIN LATERAL (SELECT equity_after FROM trading.trades x WHERE x.model_id = m.model_id ORDER BY bar_time DESC LIMIT 1) t ON TRUE
            ORDER BY m.model_id
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ModelOverview>();
        while (await r.ReadAsync(ct))
            list.Add(new ModelOverview(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : r.GetDateTime(5), r.IsDBNull(6) ? null : r.GetDateTime(6), r.GetString(7), r.GetString(8), r.GetString(9),
                r.IsDBNull(10) ? null : r.GetString(10), r.GetDateTime(11), r.IsDBNull(12) ? null : r.GetDateTime(12), r.GetInt64(13),
                r.IsDBNull(14) ? null : r.GetDateTime(14), r.IsDBNull(15) ? null : r.GetString(15), r.IsDBNull(16) ? null : r.GetString(16),
                r.IsDBNull(17) ? null : r.GetDouble(17)));
        return list;
    }

    public async Task<bool> ExistsAsync(string modelId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM model_registry WHERE model_id = @id)");
        cmd.Parameters.AddWithValue("id", modelId);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<IReadOnlyList<DecisionView>> DecisionsAsync(string modelId, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT bar_time, action, confidence, risk_verdict, latency_ms, created_at FROM trading.model_inferences
            WHERE model_id = @id ORDER BY bar_time DESC LIMIT @n
            """);
        cmd.Parameters.AddWithValue("id", modelId);
        cmd.Parameters.AddWithValue("n", limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<DecisionView>();
        while (await r.ReadAsync(ct))
            list.Add(new DecisionView(r.GetDateTime(0), r.GetString(1), r.GetDouble(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetDouble(4), r.GetDateTime(5)));
        return list;
    }

    public async Task<IReadOnlyList<EquityView>> EquityAsync(string modelId, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT bar_time, equity_after, position_after FROM (
                SELECT bar_time, equity_after, position_after FROM trading.trades WHERE model_id = @id ORDER BY bar_time DESC LIMIT @n) t
            ORDER BY bar_time
            """);
        cmd.Parameters.AddWithValue("id", modelId);
        cmd.Parameters.AddWithValue("n", limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<EquityView>();
        while (await r.ReadAsync(ct)) list.Add(new EquityView(r.GetDateTime(0), r.GetDouble(1), r.GetDouble(2)));
        return list;
    }
}
