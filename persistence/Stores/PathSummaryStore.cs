using Cop.Trading.Features;
using Npgsql;

namespace Cop.Persistence.Stores;

/// <summary>Counts what a replay left in the database, so the demo can show that every bar read is
/// a feature row or quarantined, and every feature row has a decision.</summary>
public sealed class PathSummaryStore(NpgsqlDataSource db)
{
    /// <summary>Rows with every name of <see cref="FeatureNames.Ordered"/> non-null; the names are
    /// the code's own constants, never input.</summary>
    private static readonly string CompleteRows =
        $"SELECT count(*) FROM inference_features_5m WHERE {string.Join(" AND ", FeatureNames.Ordered.Select(n => n + " IS NOT NULL"))}";

    public async Task<PathSummary> SummaryAsync(string source, string modelId, CancellationToken ct = default)
    {
        var rows = await ScalarAsync<long>("SELECT count(*) FROM inference_features_5m", ct);
        var complete = await ScalarAsync<long>(CompleteRows, ct);
        var quarantined = await ScalarAsync<long>("SELECT count(*) FROM quarantine WHERE source = @s", ct, ("s", source));
        var decisions = await ScalarAsync<long>("SELECT count(*) FROM trading.model_inferences WHERE model_id = @m", ct, ("m", modelId));
        var trades = await ScalarAsync<long>("SELECT count(*) FROM trading.trades WHERE model_id = @m", ct, ("m", modelId));
        var equity = await ScalarAsync<double?>("SELECT equity_after FROM trading.trades WHERE model_id = @m ORDER BY bar_time DESC LIMIT 1", ct, ("m", modelId));
        return new PathSummary(rows, complete, quarantined, decisions, await VerdictsAsync(modelId, ct), trades, equity);
    }

    private async Task<List<(string, long)>> VerdictsAsync(string modelId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT risk_verdict, count(*) FROM trading.model_inferences WHERE model_id = @m GROUP BY 1 ORDER BY 2 DESC");
        cmd.Parameters.AddWithValue("m", modelId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<(string, long)>();
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetInt64(1)));
        return list;
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken ct, params (string, object)[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is DBNull or null ? default! : (T)value;
    }
}
