using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Promotion;

/// <summary>
/// promotion_requests, the deploy of a promoted request (plan-v7 L4 step 4, one transaction), the
/// audited kill switch and the audit log. The rules (thresholds, the final decision's CASE, four
/// eyes) are the domain's (Cop.Trading.Promotion): the caller decides, this store writes.
/// </summary>
public sealed class PromotionStore(NpgsqlDataSource db)
{
    public async Task<BacktestForPromotion?> BacktestAsync(Guid backtestId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT backtest_uuid, model_id, model_version, period_type, start_date, end_date, total_trades,
                   win_rate::float8, sharpe_ratio::float8, max_drawdown_pct::float8, run_at
            FROM backtest_results WHERE backtest_uuid = @id
            """);
        cmd.Parameters.AddWithValue("id", backtestId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new BacktestForPromotion(r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
            r.GetFieldValue<DateOnly>(4), r.GetFieldValue<DateOnly>(5), r.IsDBNull(6) ? null : r.GetInt32(6),
            r.IsDBNull(7) ? null : r.GetDouble(7), r.IsDBNull(8) ? null : r.GetDouble(8), r.IsDBNull(9) ? null : r.GetDouble(9), r.GetDateTime(10));
    }

    public async Task<ModelForPromotion?> ModelAsync(string modelId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT m.model_id, m.model_version, m.status,
                   CASE WHEN m.status = 'staging' THEN (SELECT max(a.promoted_at) FROM ml.model_promotion_audit a
                                                         WHERE a.model_id = m.model_id AND a.to_stage = 'staging') END,
                   m.experiment_name
            FROM model_registry m WHERE m.model_id = @id
            """);
        cmd.Parameters.AddWithValue("id", modelId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new ModelForPromotion(r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetDateTime(3), r.IsDBNull(4) ? null : r.GetString(4));
    }

    /// <summary>Stores a request with its automatic vote, and both as audit events, in one transaction.</summary>
    public async Task<Guid> CreateAsync(NewPromotionRequest q, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        Guid id;
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO promotion_requests (model_id, model_version, backtest_id, backtest_period, target_stage,
                auto_vote_status, auto_vote_details, auto_vote_at, requested_by, retire_previous)
            VALUES (@m, @v, @b, @p, @stage, @auto, @details::jsonb, NOW(), @by, @retire)
            RETURNING request_uuid
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("m", q.ModelId);
            cmd.Parameters.AddWithValue("v", q.ModelVersion);
            cmd.Parameters.AddWithValue("b", q.BacktestId);
            cmd.Parameters.AddWithValue("p", NpgsqlDbType.Varchar, (object?)q.BacktestPeriod ?? DBNull.Value);
            cmd.Parameters.AddWithValue("stage", q.TargetStage);
            cmd.Parameters.AddWithValue("auto", q.AutoVoteStatus);
            cmd.Parameters.AddWithValue("details", q.AutoVoteDetailsJson);
            cmd.Parameters.AddWithValue("by", q.RequestedBy);
            cmd.Parameters.AddWithValue("retire", q.RetirePrevious);
            id = (Guid)(await cmd.ExecuteScalarAsync(ct))!;
        }
        await EventAsync(conn, tx, q.RequestedBy, "request", q.ModelId, id,
            $"{q.TargetStage} from backtest {q.BacktestId}{(q.RetirePrevious ? ", retiring the experiment's previous production model" : "")}", ct);
        await EventAsync(conn, tx, "cop", "auto_vote", q.ModelId, id, $"{q.AutoVoteStatus}: {q.AutoVoteDetailsJson}", ct);
        await tx.CommitAsync(ct);
        return id;
    }

    private const string RequestColumns = """
        request_uuid, model_id, model_version, backtest_id, backtest_period, target_stage, auto_vote_status, auto_vote_details::text, auto_vote_at,
        manual_vote_status, manual_vote_by, manual_vote_at, manual_vote_comment,
        checklist_backtest_reviewed, checklist_metrics_acceptable, checklist_team_notified,
        final_decision, requested_by, retire_previous, created_at, promoted_at
        """;

    private static PromotionRequestRow ReadRequest(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetGuid(3), r.IsDBNull(4) ? null : r.GetString(4),
        r.GetString(5), r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetDateTime(8),
        r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetDateTime(11), r.IsDBNull(12) ? null : r.GetString(12),
        !r.IsDBNull(13) && r.GetBoolean(13), !r.IsDBNull(14) && r.GetBoolean(14), !r.IsDBNull(15) && r.GetBoolean(15),
        r.GetString(16), r.IsDBNull(17) ? null : r.GetString(17), r.GetBoolean(18), r.GetDateTime(19), r.IsDBNull(20) ? null : r.GetDateTime(20));

    public async Task<PromotionRequestRow?> GetAsync(Guid requestId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {RequestColumns} FROM promotion_requests WHERE request_uuid = @id");
        cmd.Parameters.AddWithValue("id", requestId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadRequest(r) : null;
    }

    public async Task<IReadOnlyList<PromotionRequestRow>> ListAsync(int limit = 200, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {RequestColumns} FROM promotion_requests ORDER BY created_at DESC, id DESC LIMIT @n");
        cmd.Parameters.AddWithValue("n", limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<PromotionRequestRow>();
        while (await r.ReadAsync(ct)) list.Add(ReadRequest(r));
        return list;
    }

    /// <summary>
    /// The manual vote and, when it promotes, the deploy, in one transaction on the locked request:
    /// <paramref name="decide"/> sees the request as stored (so two reviewers voting at once cannot
    /// both win) and returns what to write, or null to write nothing. Returns the request after the
    /// vote and what the deploy changed (null: none), or null when there is no such request.
    /// </summary>
    public async Task<(PromotionRequestRow Request, DeployResult? Deploy)?> VoteAsync(Guid requestId, Func<PromotionRequestRow, ManualVoteWrite?> decide,
        CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        PromotionRequestRow current;
        await using (var get = new NpgsqlCommand($"SELECT {RequestColumns} FROM promotion_requests WHERE request_uuid = @id FOR UPDATE", conn, tx))
        {
            get.Parameters.AddWithValue("id", requestId);
            await using var r = await get.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            current = ReadRequest(r);
        }
        if (decide(current) is not { } vote)
        {
            await tx.RollbackAsync(ct);
            return (current, null);
        }
        await using (var set = new NpgsqlCommand("""
            UPDATE promotion_requests SET manual_vote_status = @s, manual_vote_by = @by, manual_vote_at = NOW(), manual_vote_comment = @c,
                checklist_backtest_reviewed = @c1, checklist_metrics_acceptable = @c2, checklist_team_notified = @c3,
                final_decision = @final
            WHERE request_uuid = @id
            """, conn, tx))
        {
            set.Parameters.AddWithValue("id", requestId);
            set.Parameters.AddWithValue("s", vote.ManualStatus);
            set.Parameters.AddWithValue("by", vote.Voter);
            set.Parameters.AddWithValue("c", NpgsqlDbType.Text, (object?)vote.Comment ?? DBNull.Value);
            set.Parameters.AddWithValue("c1", vote.EquityCurveReviewed);
            set.Parameters.AddWithValue("c2", vote.TradeDistributionReviewed);
            set.Parameters.AddWithValue("c3", vote.TeamNotified);
            set.Parameters.AddWithValue("final", vote.FinalDecision);
            await set.ExecuteNonQueryAsync(ct);
        }
        await EventAsync(conn, tx, vote.Voter, "manual_vote", current.ModelId, requestId,
            $"{vote.ManualStatus} -> {vote.FinalDecision}{(vote.Comment is { Length: > 0 } c ? $": {c}" : "")}", ct);
        DeployResult? deployed = null;
        if (vote.Deploy is { } deploy)
            deployed = await DeployAsync(conn, tx, current, deploy, vote, ct);
        await tx.CommitAsync(ct);
        return (await GetAsync(requestId, ct) ?? current, deployed);
    }

    /// <summary>plan-v7 L4 step 4 inside the vote's transaction: the registry (status, deployed_at), the
    /// feature rows from the model's training start that no model claimed yet (as the feature writer,
    /// the one role that may write them), promoted_at, the audit row; retiring the experiment's other
    /// production models when the request says so.</summary>
    private static async Task<DeployResult> DeployAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PromotionRequestRow request, DeployWrite deploy,
        ManualVoteWrite vote, CancellationToken ct)
    {
        string from;
        DateTime? trainingStart;
        string? experiment;
        await using (var get = new NpgsqlCommand("SELECT status, training_start_date, experiment_name FROM model_registry WHERE model_id = @id FOR UPDATE", conn, tx))
        {
            get.Parameters.AddWithValue("id", request.ModelId);
            await using var r = await get.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw new ArgumentException($"model_id: unknown model '{request.ModelId}'");
            (from, trainingStart, experiment) = (r.GetString(0), r.IsDBNull(1) ? null : r.GetDateTime(1), r.IsDBNull(2) ? null : r.GetString(2));
        }
        var marked = 0;
        if (trainingStart is { } start)
        {
            await using var mark = new NpgsqlCommand("SET LOCAL ROLE cop_feature_writer; SELECT update_feature_store_model_id(@id, @start); RESET ROLE", conn, tx);
            mark.Parameters.AddWithValue("id", request.ModelId);
            mark.Parameters.AddWithValue("start", start);
            await using var r = await mark.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) marked = r.GetInt32(0);
        }
        await using (var set = new NpgsqlCommand(
            "UPDATE model_registry SET status = @s, deployed_at = NOW(), updated_at = NOW(), last_error = NULL WHERE model_id = @id", conn, tx))
        {
            set.Parameters.AddWithValue("id", request.ModelId);
            set.Parameters.AddWithValue("s", deploy.RegistryStatus);
            await set.ExecuteNonQueryAsync(ct);
        }
        await using (var promoted = new NpgsqlCommand("UPDATE promotion_requests SET promoted_at = NOW() WHERE request_uuid = @id", conn, tx))
        {
            promoted.Parameters.AddWithValue("id", request.RequestId);
            await promoted.ExecuteNonQueryAsync(ct);
        }
        var reason = $"request {request.RequestId}: {vote.FinalDecision} to {request.TargetStage} (requested by {request.RequestedBy}, approved by {vote.Voter}); "
                     + (trainingStart is null ? "no training start: no feature rows marked" : $"{marked} feature rows marked");
        await AuditAsync(conn, tx, request.ModelId, from, deploy.RegistryStatus, vote.Voter, reason, ct);
        var retired = new List<string>();
        if (deploy.RetirePrevious && deploy.RegistryStatus == "deployed")
        {
            // Models without an experiment name form one group.
            await using (var retire = new NpgsqlCommand("""
                UPDATE model_registry SET status = 'retired', updated_at = NOW()
                WHERE status = 'deployed' AND model_id <> @id AND experiment_name IS NOT DISTINCT FROM @exp
                RETURNING model_id
                """, conn, tx))
            {
                retire.Parameters.AddWithValue("id", request.ModelId);
                retire.Parameters.AddWithValue("exp", NpgsqlDbType.Varchar, (object?)experiment ?? DBNull.Value);
                await using var r = await retire.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) retired.Add(r.GetString(0));
            }
            foreach (var old in retired)
                await AuditAsync(conn, tx, old, "deployed", "retired", vote.Voter, $"replaced in production by {request.ModelId} (request {request.RequestId})", ct);
        }
        return new DeployResult(from, deploy.RegistryStatus, marked, retired);
    }

    /// <summary>The kill switch with its audit event, in one transaction; false: no such model.</summary>
    public async Task<bool> SetKillSwitchAsync(string modelId, bool on, string by, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("UPDATE model_registry SET kill_switch = @k, updated_at = NOW() WHERE model_id = @id", conn, tx))
        {
            cmd.Parameters.AddWithValue("id", modelId);
            cmd.Parameters.AddWithValue("k", on);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) return false;
        }
        await EventAsync(conn, tx, by, "kill_switch", modelId, null, on ? "on" : "off", ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>An event of its own transaction (e.g. a backtest run from the web UI).</summary>
    public async Task RecordAsync(string actor, string action, string? modelId, string detail, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await EventAsync(conn, null, actor, action, modelId, null, detail, ct);
    }

    /// <summary>Every audited action, newest first: requests, votes, kill switches, backtests
    /// (ml.promotion_events) and stage changes (ml.model_promotion_audit, as action 'stage').</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(int limit = 500, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT at, actor, action, model_id, request_uuid, detail FROM (
                SELECT at, actor, action, model_id, request_uuid, detail, id, 1 AS src FROM ml.promotion_events
                UNION ALL
                SELECT promoted_at, promoted_by, 'stage', model_id, NULL::uuid,
                       coalesce(from_stage, '-') || ' -> ' || to_stage || coalesce(': ' || reason, ''), id, 0
                FROM ml.model_promotion_audit) e
            ORDER BY at DESC, src, id DESC LIMIT @n
            """);
        cmd.Parameters.AddWithValue("n", limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<AuditEntry>();
        while (await r.ReadAsync(ct))
            list.Add(new AuditEntry(r.GetDateTime(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                r.IsDBNull(4) ? null : r.GetGuid(4), r.GetString(5)));
        return list;
    }

    private static async Task EventAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string actor, string action, string? modelId, Guid? requestId,
        string detail, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO ml.promotion_events (actor, action, model_id, request_uuid, detail) VALUES (@a, @act, @m, @r, @d)", conn, tx);
        cmd.Parameters.AddWithValue("a", actor);
        cmd.Parameters.AddWithValue("act", action);
        cmd.Parameters.AddWithValue("m", NpgsqlDbType.Varchar, (object?)modelId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("r", NpgsqlDbType.Uuid, (object?)requestId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("d", detail);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task AuditAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string modelId, string from, string to, string by, string reason,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO ml.model_promotion_audit (model_id, from_stage, to_stage, promoted_by, reason) VALUES (@id, @f, @t, @by, @r)", conn, tx);
        cmd.Parameters.AddWithValue("id", modelId);
        cmd.Parameters.AddWithValue("f", from);
        cmd.Parameters.AddWithValue("t", to);
        cmd.Parameters.AddWithValue("by", by);
        cmd.Parameters.AddWithValue("r", reason);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
