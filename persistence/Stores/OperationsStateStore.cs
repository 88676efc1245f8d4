using Cop.Trading.Macro;
using Npgsql;

namespace Cop.Persistence.Stores;

/// <summary>What the operations sampler and /health read from the source of truth: the newest
/// bar and feature row, the dead-letter queue by type and status, each macro series' last
/// accepted (published, not forward-filled) date, the deployed models' kill switch and refusal.</summary>
public sealed record OperationsState(
    DateTime? LastBar,
    DateTime? LastFeature,
    IReadOnlyList<(string EventType, string Status, long Count)> DeadLetters,
    IReadOnlyDictionary<string, DateOnly?> MacroLastAccepted,
    IReadOnlyList<DeployedModelState> Models);

public sealed record DeployedModelState(string ModelId, bool KillSwitch, string? LastError);

/// <summary>Reads <see cref="OperationsState"/> in a few statements (one per macro table).</summary>
public sealed class OperationsStateStore(NpgsqlDataSource db)
{
    public async Task<OperationsState> ReadAsync(IReadOnlyList<MacroVariableSpec> catalogue, CancellationToken ct = default)
    {
        DateTime? lastBar, lastFeature;
        await using (var cmd = db.CreateCommand("SELECT (SELECT max(time) FROM usdcop_m5_ohlcv), (SELECT max(time) FROM inference_features_5m)"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            lastBar = r.IsDBNull(0) ? null : r.GetDateTime(0);
            lastFeature = r.IsDBNull(1) ? null : r.GetDateTime(1);
        }

        var dlq = new List<(string, string, long)>();
        await using (var cmd = db.CreateCommand("SELECT event_type, status, count(*) FROM system.dead_letter_queue GROUP BY 1, 2"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) dlq.Add((r.GetString(0), r.GetString(1), r.GetInt64(2)));

        var macro = new Dictionary<string, DateOnly?>();
        foreach (var table in catalogue.GroupBy(v => v.Table()))
        {
            // Column names come from the checked catalogue, never from input.
            var columns = table.Select(v => v.Column).ToList();
            var select = string.Join(", ", columns.Select(c => $"max(fecha) FILTER (WHERE {c} IS NOT NULL AND NOT ('{c}' = ANY(filled_columns)))"));
            await using var cmd = db.CreateCommand($"SELECT {select} FROM {table.Key}");
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            for (var i = 0; i < columns.Count; i++) macro[columns[i]] = r.IsDBNull(i) ? null : r.GetFieldValue<DateOnly>(i);
        }

        var models = new List<DeployedModelState>();
        await using (var cmd = db.CreateCommand("SELECT model_id, kill_switch, last_error FROM model_registry WHERE status = 'deployed' ORDER BY model_id"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) models.Add(new DeployedModelState(r.GetString(0), r.GetBoolean(1), r.IsDBNull(2) ? null : r.GetString(2)));

        return new OperationsState(lastBar, lastFeature, dlq, macro, models);
    }
}
