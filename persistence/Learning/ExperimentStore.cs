using System.Globalization;
using System.Text;
using System.Text.Json;
using Cop.Trading.Learning;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Learning;

/// <summary>
/// The experiment records: datasets built (experiment_runs) and models trained on them
/// (experiment_models, migration 060). A dataset version is immutable: recording the same version
/// again with the same hash changes nothing, with another hash it is refused.
/// </summary>
public sealed class ExperimentStore(NpgsqlDataSource db)
{
    /// <summary>Records a built dataset. True when stored now, false when this exact dataset (same
    /// version and hash) was already recorded; an <see cref="InvalidOperationException"/> when the
    /// version holds another dataset.</summary>
    public async Task<bool> RecordDatasetAsync(DatasetRun run, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO experiment_runs (experiment_name, version, dataset_path, dataset_hash, config,
                train_start, train_end, val_start, val_end, test_start, test_end, norm_stats, split_rows)
            VALUES (@name, @version, @path, @hash, @config, @trs, @tre, @vas, @vae, @tes, @tee, @norm, @rows)
            ON CONFLICT (experiment_name, version) DO NOTHING
            """);
        cmd.Parameters.AddWithValue("name", run.Experiment);
        cmd.Parameters.AddWithValue("version", run.Version);
        cmd.Parameters.AddWithValue("path", run.Path);
        cmd.Parameters.AddWithValue("hash", run.Sha256);
        cmd.Parameters.AddWithValue("config", NpgsqlDbType.Jsonb, run.ConfigJson);
        foreach (var (split, prefix) in new[] { (DatasetSplit.Train, "tr"), (DatasetSplit.Validation, "va"), (DatasetSplit.Test, "te") })
        {
            cmd.Parameters.AddWithValue(prefix + "s", NpgsqlDbType.TimestampTz, run[split].First);
            cmd.Parameters.AddWithValue(prefix + "e", NpgsqlDbType.TimestampTz, run[split].Last);
        }
        cmd.Parameters.AddWithValue("norm", NpgsqlDbType.Jsonb, run.NormStatsJson);
        cmd.Parameters.AddWithValue("rows", NpgsqlDbType.Jsonb, SplitRowsJson(run.Splits));
        if (await cmd.ExecuteNonQueryAsync(ct) == 1) return true;
        var existing = await DatasetAsync(run.Experiment, run.Version, ct);
        if (existing is not null && existing.Sha256 == run.Sha256) return false;
        throw new InvalidOperationException(
            $"experiment {run.Experiment} already has a dataset version {run.Version} with hash {existing?.Sha256}; this build's hash is {run.Sha256}: give another --version");
    }

    /// <summary>The dataset of <paramref name="experiment"/> recorded as <paramref name="version"/>, or
    /// (version null) the newest one; null when there is none.</summary>
    public async Task<DatasetRun?> DatasetAsync(string experiment, string? version = null, CancellationToken ct = default)
    {
        var runs = await ReadRunsAsync(experiment, version, ct);
        return runs.Count == 0 ? null : runs[0];
    }

    /// <summary>Every dataset of an experiment, newest first.</summary>
    public Task<IReadOnlyList<DatasetRun>> DatasetsAsync(string experiment, CancellationToken ct = default) => ReadRunsAsync(experiment, null, ct);

    private async Task<IReadOnlyList<DatasetRun>> ReadRunsAsync(string experiment, string? version, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT version, dataset_path, dataset_hash, config::text, norm_stats::text, split_rows::text,
                   train_start, train_end, val_start, val_end, test_start, test_end, created_at
              FROM experiment_runs
             WHERE experiment_name = @name AND (@version::text IS NULL OR version = @version)
             ORDER BY created_at DESC, id DESC
            """);
        cmd.Parameters.AddWithValue("name", experiment);
        cmd.Parameters.AddWithValue("version", NpgsqlDbType.Text, (object?)version ?? DBNull.Value);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<DatasetRun>();
        while (await r.ReadAsync(ct))
        {
            var counts = r.IsDBNull(5) ? null : JsonDocument.Parse(r.GetString(5));
            var splits = SplitNames.All.Select((s, k) =>
            {
                var c = counts?.RootElement.TryGetProperty(SplitNames.Of(s), out var e) == true ? e : (JsonElement?)null;
                return new SplitSummary(s, r.GetDateTime(6 + 2 * k), r.GetDateTime(7 + 2 * k),
                    c?.GetProperty("rows").GetInt32() ?? 0, c?.GetProperty("left_out").GetInt32() ?? 0);
            }).ToList();
            counts?.Dispose();
            list.Add(new DatasetRun(experiment, r.GetString(0), r.GetString(1), r.GetString(2).Trim(), r.IsDBNull(3) ? "{}" : r.GetString(3),
                splits, r.IsDBNull(4) ? "{}" : r.GetString(4)) { CreatedAt = r.GetDateTime(12) });
        }
        return list;
    }

    /// <summary>Records a trained model (the write `cop train` makes once its ONNX file is in the object store).</summary>
    public async Task RecordTrainedModelAsync(TrainedModelRecord model, CancellationToken ct = default)
    {
        if (model.OnnxSha256.Length != 64) throw new ArgumentException($"onnx_sha256 must be 64 hex characters, not '{model.OnnxSha256}'");
        await using var cmd = db.CreateCommand("""
            INSERT INTO experiment_models (experiment_name, dataset_version, model_id, model_version, onnx_path, onnx_sha256,
                seed, timesteps, training_seconds, validation, log_path)
            VALUES (@name, @dataset, @id, @version, @path, @sha, @seed, @steps, @seconds, @validation, @log)
            """);
        cmd.Parameters.AddWithValue("name", model.Experiment);
        cmd.Parameters.AddWithValue("dataset", model.DatasetVersion);
        cmd.Parameters.AddWithValue("id", model.ModelId);
        cmd.Parameters.AddWithValue("version", model.ModelVersion);
        cmd.Parameters.AddWithValue("path", model.OnnxPath);
        cmd.Parameters.AddWithValue("sha", model.OnnxSha256);
        cmd.Parameters.AddWithValue("seed", model.Seed);
        cmd.Parameters.AddWithValue("steps", model.Timesteps);
        cmd.Parameters.AddWithValue("seconds", model.TrainingSeconds);
        cmd.Parameters.AddWithValue("validation", NpgsqlDbType.Jsonb, FiguresJson(model.Validation));
        cmd.Parameters.AddWithValue("log", NpgsqlDbType.Text, (object?)model.LogPath ?? DBNull.Value);
        try { await cmd.ExecuteNonQueryAsync(ct); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new InvalidOperationException($"experiment {model.Experiment} has no dataset version {model.DatasetVersion}: build it first (cop dataset build)");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException($"model {model.ModelId} version {model.ModelVersion} is already recorded");
        }
    }

    /// <summary>The models trained on an experiment's datasets, newest first.</summary>
    public async Task<IReadOnlyList<TrainedModelRecord>> ModelsAsync(string experiment, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT dataset_version, model_id, model_version, onnx_path, onnx_sha256, seed, timesteps, training_seconds,
                   validation::text, log_path, created_at
              FROM experiment_models WHERE experiment_name = @name ORDER BY created_at DESC, id DESC
            """);
        cmd.Parameters.AddWithValue("name", experiment);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TrainedModelRecord>();
        while (await r.ReadAsync(ct))
            list.Add(new TrainedModelRecord(experiment, r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4).Trim(),
                r.GetInt32(5), r.GetInt64(6), r.GetDouble(7), ParseFigures(r.GetString(8)), r.IsDBNull(9) ? null : r.GetString(9))
            { CreatedAt = r.GetDateTime(10) });
        return list;
    }

    /// <summary>Every experiment with a dataset or a model, by name.</summary>
    public async Task<IReadOnlyList<ExperimentSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT e.name,
                   (SELECT count(*) FROM experiment_runs r WHERE r.experiment_name = e.name)::int,
                   (SELECT r.version FROM experiment_runs r WHERE r.experiment_name = e.name ORDER BY r.created_at DESC, r.id DESC LIMIT 1),
                   (SELECT max(r.created_at) FROM experiment_runs r WHERE r.experiment_name = e.name),
                   (SELECT count(*) FROM experiment_models m WHERE m.experiment_name = e.name)::int,
                   (SELECT m.model_id || ' ' || m.model_version FROM experiment_models m WHERE m.experiment_name = e.name ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
              FROM (SELECT experiment_name AS name FROM experiment_runs UNION SELECT experiment_name FROM experiment_models) e
             ORDER BY e.name
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ExperimentSummary>();
        while (await r.ReadAsync(ct))
            list.Add(new ExperimentSummary(r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetDateTime(3), r.GetInt32(4), r.IsDBNull(5) ? null : r.GetString(5)));
        return list;
    }

    private static string SplitRowsJson(IEnumerable<SplitSummary> splits) =>
        "{" + string.Join(",", splits.Select(s => $"\"{SplitNames.Of(s.Split)}\":{{\"rows\":{s.Rows},\"left_out\":{s.LeftOut}}}")) + "}";

    private static string FiguresJson(IEnumerable<PolicyFigures> figures)
    {
        static string N(double x) => double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "null";
        var sb = new StringBuilder("[");
        sb.AppendJoin(",", figures.Select(f =>
            $"{{\"policy\":{JsonSerializer.Serialize(f.Policy)},\"total_return\":{N(f.TotalReturn)},\"sharpe\":{N(f.Sharpe)},\"max_drawdown\":{N(f.MaxDrawdown)},\"trades\":{f.Trades}}}"));
        return sb.Append(']').ToString();
    }

    private static IReadOnlyList<PolicyFigures> ParseFigures(string json)
    {
        using var doc = JsonDocument.Parse(json);
        static double D(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetDouble() : double.NaN;
        return [.. doc.RootElement.EnumerateArray().Select(e => new PolicyFigures(e.GetProperty("policy").GetString()!,
            D(e, "total_return"), D(e, "sharpe"), D(e, "max_drawdown"), e.GetProperty("trades").GetInt32()))];
    }
}
