using Cop.Actors.Features;
using Cop.Persistence.Schema;
using Cop.Trading;
using Cop.Trading.Features;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>
/// The feature store on PostgreSQL, as the single writer: every connection runs as
/// <see cref="WriterRole"/>, the only role granted INSERT/UPDATE on inference_features_5m.
/// </summary>
public sealed class FeatureStore : IBarSeriesStore, IAsyncDisposable
{
    public const string WriterRole = "cop_feature_writer";

    private readonly NpgsqlDataSource _db;

    public FeatureStore(string connectionString) =>
        _db = NpgsqlDataSource.Create(ConnectionStrings.AsRole(connectionString, WriterRole, "cop-feature-writer"));

    public async Task<IReadOnlyList<Bar>> LoadBarsAsync(string symbol, DateTime? after, DateTime upTo, int limit, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("""
            SELECT time, open, high, low, close, volume FROM usdcop_m5_ohlcv
            WHERE symbol = @s AND time > @after AND time <= @upTo ORDER BY time LIMIT @n
            """);
        cmd.Parameters.AddWithValue("s", symbol);
        cmd.Parameters.AddWithValue("after", NpgsqlDbType.TimestampTz, after is { } a ? a : DateTime.MinValue);
        cmd.Parameters.AddWithValue("upTo", NpgsqlDbType.TimestampTz, upTo);
        cmd.Parameters.AddWithValue("n", limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var bars = new List<Bar>();
        while (await r.ReadAsync(ct))
            bars.Add(new Bar(r.GetDateTime(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5)));
        return bars;
    }

    /// <summary>With <paramref name="changedSince"/>, a cell of a changed row that is no longer a
    /// published value (withdrawn by `cop macro reject`, or filled) comes back as a
    /// <see cref="MacroObservation.Withdrawn"/> observation, so a running series drops it.</summary>
    public async Task<IReadOnlyDictionary<string, IEnumerable<MacroObservation>>> LoadMacroAsync(CancellationToken ct = default, DateTime? changedSince = null)
    {
        // Published values only: cells written by forward fill are not part of a series' history.
        var columns = string.Join(", ", MacroColumns.All.Select(c => $"CASE WHEN '{c}' = ANY(filled_columns) THEN NULL ELSE {c} END"));
        await using var cmd = _db.CreateCommand($"SELECT fecha, fecha_available, {columns} FROM macro_daily WHERE @since::timestamptz IS NULL OR updated_at > @since ORDER BY fecha");
        cmd.Parameters.AddWithValue("since", NpgsqlDbType.TimestampTz, (object?)changedSince ?? DBNull.Value);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var values = MacroColumns.All.ToDictionary(c => c, _ => new List<MacroObservation>());
        while (await r.ReadAsync(ct))
        {
            var date = r.GetFieldValue<DateOnly>(0);
            var available = TradingSession.BogotaMidnightUtc(r.GetFieldValue<DateOnly>(1));
            for (var k = 0; k < MacroColumns.All.Count; k++)
                if (!r.IsDBNull(k + 2)) values[MacroColumns.All[k]].Add(new MacroObservation(date, available, r.GetDouble(k + 2)));
                else if (changedSince is not null) values[MacroColumns.All[k]].Add(MacroObservation.Withdrawn(date));
        }
        return values.ToDictionary(kv => kv.Key, kv => (IEnumerable<MacroObservation>)kv.Value);
    }

    /// <summary>Every symbol with feature rows, and the time of its newest row.</summary>
    public async Task<IReadOnlyList<(string Symbol, DateTime Last)>> FeatureSeriesAsync(CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("SELECT symbol, max(time) FROM inference_features_5m GROUP BY symbol ORDER BY symbol");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var series = new List<(string, DateTime)>();
        while (await r.ReadAsync(ct)) series.Add((r.GetString(0), r.GetDateTime(1)));
        return series;
    }

    private static readonly string UpsertSql = $"""
        INSERT INTO inference_features_5m (symbol, time, {FeatureColumns.Join(c => c)}, macro_as_of, builder_version)
        SELECT @symbol, t, {FeatureColumns.Join(c => $"f_{c}")}, m, @version
        FROM unnest(@time, {FeatureColumns.Join(c => $"@{c}")}, @macro_as_of)
             AS u(t, {FeatureColumns.Join(c => $"f_{c}")}, m)
        ON CONFLICT (symbol, time) DO UPDATE SET
            {FeatureColumns.Join(c => $"{c} = EXCLUDED.{c}", ",\n    ")},
            macro_as_of = EXCLUDED.macro_as_of,
            builder_version = EXCLUDED.builder_version,
            model_id = COALESCE(inference_features_5m.model_id, EXCLUDED.model_id),
            updated_at = NOW()
        WHERE ({FeatureColumns.Join(c => $"inference_features_5m.{c}")}, inference_features_5m.macro_as_of, inference_features_5m.builder_version)
              IS DISTINCT FROM ({FeatureColumns.Join(c => $"EXCLUDED.{c}")}, EXCLUDED.macro_as_of, EXCLUDED.builder_version)
        """;

    /// <summary>One statement per batch; re-writing identical rows changes nothing (not even updated_at).</summary>
    public async Task<int> UpsertAsync(IReadOnlyList<FeatureRow> rows, CancellationToken ct = default)
    {
        if (rows.Count == 0) return 0;
        var total = 0;
        foreach (var bySymbol in rows.GroupBy(r => r.Symbol))
        {
            var list = bySymbol.ToList();
            await using var cmd = _db.CreateCommand(UpsertSql);
            cmd.Parameters.AddWithValue("symbol", bySymbol.Key);
            cmd.Parameters.AddWithValue("version", FeatureNames.BuilderVersion);
            cmd.Parameters.AddWithValue("time", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, list.Select(r => r.Time).ToArray());
            var values = list.Select(r => r.Values()).ToList();
            for (var k = 0; k < FeatureColumns.Names.Count; k++)
            {
                var column = values.Select(v => v[k]).ToArray();
                cmd.Parameters.AddWithValue(FeatureColumns.Names[k], NpgsqlDbType.Array | NpgsqlDbType.Double, column);
            }
            cmd.Parameters.AddWithValue("macro_as_of", NpgsqlDbType.Array | NpgsqlDbType.Date, list.Select(r => r.MacroAsOf).ToArray());
            total += await cmd.ExecuteNonQueryAsync(ct);
        }
        return total;
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();
}
