using Cop.Actors.Models;
using Cop.Trading.Features;
using Cop.Trading.Learning;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>The offline (PostgreSQL) side of the feature service: a bar's stored features and close.</summary>
public sealed class FeatureReader(NpgsqlDataSource db) : IFeatureSource, IBarSequence
{
    // One column list and one mapper for every read: the features, then close, macro date, symbol, time.
    private static readonly string Columns = "SELECT " + FeatureColumns.Join(c => "f." + c) + ", b.close, f.macro_as_of, f.symbol, f.time ";
    private const string From = "FROM inference_features_5m f JOIN usdcop_m5_ohlcv b ON b.symbol = f.symbol AND b.time = f.time ";
    private static readonly string Select = Columns + From;
    // A dataset's rows: the same snapshot, then the bar's open, high and low for fills.
    private static readonly string RowsSql = Columns + ", b.open, b.high, b.low " + From +
        "WHERE f.symbol = @s AND f.time >= @from AND f.time < @to ORDER BY f.time";

    private static readonly string OneSql = Select + "WHERE f.symbol = @s AND f.time = @t";
    private static readonly string SinceSql = Select + "WHERE f.time >= @since ORDER BY f.time";

    /// <summary>Every stored bar's features from <paramref name="since"/> on (the online store's materialisation).</summary>
    public async Task<IReadOnlyList<FeatureSnapshot>> ReadSinceAsync(DateTime since, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(SinceSql);
        cmd.Parameters.AddWithValue("since", NpgsqlDbType.TimestampTz, since);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<FeatureSnapshot>();
        while (await r.ReadAsync(ct)) list.Add(Snapshot(r));
        return list;
    }

    /// <summary>A symbol's stored feature rows with their bars' OHLC, from <paramref name="from"/>
    /// (inclusive) to <paramref name="to"/> (exclusive), in time order: what a dataset is built from
    /// (read, never recomputed).</summary>
    public async Task<IReadOnlyList<DatasetRow>> ReadRowsAsync(string symbol, DateTime from, DateTime to, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(RowsSql);
        cmd.Parameters.AddWithValue("s", symbol);
        cmd.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, from);
        cmd.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, to);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<DatasetRow>();
        var open = FeatureNames.Count + 4;
        while (await r.ReadAsync(ct)) list.Add(new DatasetRow(Snapshot(r), r.GetDouble(open), r.GetDouble(open + 1), r.GetDouble(open + 2)));
        return list;
    }

    public async Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(OneSql);
        cmd.Parameters.AddWithValue("s", symbol);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.TimestampTz, barTime);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Snapshot(r) : null;
    }

    public async Task<DateTime?> NextAsync(string symbol, DateTime after, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT min(time) FROM inference_features_5m WHERE symbol = @s AND time > @t");
        cmd.Parameters.AddWithValue("s", symbol);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.TimestampTz, after);
        return await cmd.ExecuteScalarAsync(ct) is DateTime next ? next : null;
    }

    private static FeatureSnapshot Snapshot(NpgsqlDataReader r)
    {
        var raw = new double?[FeatureNames.Count];
        for (var k = 0; k < raw.Length; k++) raw[k] = r.IsDBNull(k) ? null : r.GetDouble(k);
        int close = raw.Length, asOf = close + 1, symbol = close + 2, time = close + 3;
        return new FeatureSnapshot(r.GetString(symbol), r.GetDateTime(time), raw, r.GetDouble(close), r.IsDBNull(asOf) ? null : r.GetFieldValue<DateOnly>(asOf));
    }
}
