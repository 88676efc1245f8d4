using Cop.Actors.Models;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>The offline (PostgreSQL) side of the feature service: a bar's stored features and close.</summary>
public sealed class FeatureReader(NpgsqlDataSource db) : IFeatureSource
{
    private static readonly string Sql = $"""
        SELECT {string.Join(", ", Cop.Trading.Features.FeatureNames.Ordered.Select(n => "f." + n))}, b.close, f.macro_as_of
        FROM inference_features_5m f JOIN usdcop_m5_ohlcv b ON b.symbol = f.symbol AND b.time = f.time
        WHERE f.symbol = @s AND f.time = @t
        """;

    /// <summary>Every stored bar's features from <paramref name="since"/> on (the online store's materialisation).</summary>
    public async Task<IReadOnlyList<FeatureSnapshot>> ReadSinceAsync(DateTime since, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(SinceSql);
        cmd.Parameters.AddWithValue("since", NpgsqlDbType.TimestampTz, since);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<FeatureSnapshot>();
        while (await r.ReadAsync(ct))
        {
            var raw = new double?[15];
            for (var k = 0; k < 15; k++) raw[k] = r.IsDBNull(k) ? null : r.GetDouble(k);
            list.Add(new FeatureSnapshot(r.GetString(16), r.GetDateTime(17), raw, r.GetDouble(15), MacroAsOf(r, 18)));
        }
        return list;
    }

    private static readonly string SinceSql =
        "SELECT " + string.Join(", ", Cop.Trading.Features.FeatureNames.Ordered.Select(n => "f." + n)) + ", b.close, f.symbol, f.time, f.macro_as_of " +
        "FROM inference_features_5m f JOIN usdcop_m5_ohlcv b ON b.symbol = f.symbol AND b.time = f.time WHERE f.time >= @since ORDER BY f.time";

    public async Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(Sql);
        cmd.Parameters.AddWithValue("s", symbol);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.TimestampTz, barTime);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var raw = new double?[15];
        for (var k = 0; k < 15; k++) raw[k] = r.IsDBNull(k) ? null : r.GetDouble(k);
        return new FeatureSnapshot(symbol, barTime, raw, r.GetDouble(15), MacroAsOf(r, 16));
    }

    private static DateOnly? MacroAsOf(NpgsqlDataReader r, int column) => r.IsDBNull(column) ? null : r.GetFieldValue<DateOnly>(column);
}
