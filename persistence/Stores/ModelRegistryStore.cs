using Npgsql;

namespace Cop.Persistence.Stores;

/// <summary>One model_registry row.</summary>
public sealed record ModelRecord(string ModelId, string Version, string FilePath, string FileSha256, string FeatureOrderHash,
    string NormStatsJson, string NormStatsHash, string Status, bool KillSwitch, string? LastError,
    DateTime? TrainingStart = null, DateTime? TrainingEnd = null);

/// <summary>model_registry: the truth about models (status, file, hashes, kill switch).</summary>
public sealed class ModelRegistryStore(NpgsqlDataSource db) : Cop.Actors.Models.IModelRegistry
{
    public static readonly IReadOnlyList<string> Statuses = ["registered", "staging", "deployed", "retired"];

    public async Task RegisterAsync(ModelRecord m, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO model_registry (model_id, model_version, file_path, file_sha256, feature_order_hash, norm_stats, norm_stats_hash, status,
                training_start_date, training_end_date)
            VALUES (@id, @v, @path, @sha, @foh, @ns::jsonb, @nsh, @status, @ts, @te)
            ON CONFLICT (model_id) DO UPDATE SET model_version = EXCLUDED.model_version, file_path = EXCLUDED.file_path,
                file_sha256 = EXCLUDED.file_sha256, feature_order_hash = EXCLUDED.feature_order_hash, norm_stats = EXCLUDED.norm_stats,
                norm_stats_hash = EXCLUDED.norm_stats_hash, training_start_date = EXCLUDED.training_start_date,
                training_end_date = EXCLUDED.training_end_date, last_error = NULL, updated_at = NOW()
            """);
        cmd.Parameters.AddWithValue("id", m.ModelId);
        cmd.Parameters.AddWithValue("v", m.Version);
        cmd.Parameters.AddWithValue("path", m.FilePath);
        cmd.Parameters.AddWithValue("sha", m.FileSha256);
        cmd.Parameters.AddWithValue("foh", m.FeatureOrderHash);
        cmd.Parameters.AddWithValue("ns", m.NormStatsJson);
        cmd.Parameters.AddWithValue("nsh", m.NormStatsHash);
        cmd.Parameters.AddWithValue("status", m.Status);
        cmd.Parameters.AddWithValue("ts", NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)m.TrainingStart ?? DBNull.Value);
        cmd.Parameters.AddWithValue("te", NpgsqlTypes.NpgsqlDbType.TimestampTz, (object?)m.TrainingEnd ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Moves a model to a status, with an audit row; unknown models and statuses are named.</summary>
    public async Task SetStatusAsync(string modelId, string status, string by, string? reason = null, CancellationToken ct = default)
    {
        if (!Statuses.Contains(status)) throw new ArgumentException($"status '{status}' is not one of {string.Join(", ", Statuses)}");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        string? from;
        await using (var get = new NpgsqlCommand("SELECT status FROM model_registry WHERE model_id = @id FOR UPDATE", conn, tx))
        {
            get.Parameters.AddWithValue("id", modelId);
            from = (string?)await get.ExecuteScalarAsync(ct) ?? throw new ArgumentException($"unknown model '{modelId}'");
        }
        await using (var set = new NpgsqlCommand("""
            UPDATE model_registry SET status = @s, updated_at = NOW(),
                deployed_at = CASE WHEN @s = 'deployed' THEN NOW() ELSE deployed_at END WHERE model_id = @id
            """, conn, tx))
        {
            set.Parameters.AddWithValue("id", modelId);
            set.Parameters.AddWithValue("s", status);
            await set.ExecuteNonQueryAsync(ct);
        }
        await using (var audit = new NpgsqlCommand(
            "INSERT INTO ml.model_promotion_audit (model_id, from_stage, to_stage, promoted_by, reason) VALUES (@id, @f, @t, @by, @r)", conn, tx))
        {
            audit.Parameters.AddWithValue("id", modelId);
            audit.Parameters.AddWithValue("f", from);
            audit.Parameters.AddWithValue("t", status);
            audit.Parameters.AddWithValue("by", by);
            audit.Parameters.AddWithValue("r", (object?)reason ?? DBNull.Value);
            await audit.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>The kill switch, audited (ml.promotion_events) with who: <paramref name="by"/>, else the OS user.</summary>
    public async Task SetKillSwitchAsync(string modelId, bool on, string? by = null, CancellationToken ct = default)
    {
        if (!await new Promotion.PromotionStore(db).SetKillSwitchAsync(modelId, on, by ?? Environment.UserName, ct))
            throw new ArgumentException($"unknown model '{modelId}'");
    }

    public async Task RecordErrorAsync(string modelId, string error, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("UPDATE model_registry SET last_error = @e, updated_at = NOW() WHERE model_id = @id");
        cmd.Parameters.AddWithValue("id", modelId);
        cmd.Parameters.AddWithValue("e", error);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The deployed models, as the model supervisor polls them.</summary>
    public async Task<IReadOnlyList<Cop.Actors.Models.DeployedModelInfo>> DeployedAsync(CancellationToken ct = default) =>
        [.. (await ListAsync("deployed", ct)).Select(m => new Cop.Actors.Models.DeployedModelInfo(m.ModelId, m.FilePath, m.FileSha256, m.NormStatsJson, m.KillSwitch))];

    public async Task<IReadOnlyList<ModelRecord>> ListAsync(string? status = null, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT model_id, model_version, file_path, file_sha256, feature_order_hash, norm_stats::text, norm_stats_hash, status, kill_switch, last_error,
                   training_start_date, training_end_date
            FROM model_registry WHERE @s::text IS NULL OR status = @s ORDER BY model_id
            """);
        cmd.Parameters.AddWithValue("s", (object?)status ?? DBNull.Value);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ModelRecord>();
        while (await r.ReadAsync(ct))
            list.Add(new ModelRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetString(6), r.GetString(7), r.GetBoolean(8), r.IsDBNull(9) ? null : r.GetString(9),
                r.IsDBNull(10) ? null : r.GetDateTime(10), r.IsDBNull(11) ? null : r.GetDateTime(11)));
        return list;
    }
}
