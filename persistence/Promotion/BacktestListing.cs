using Npgsql;

namespace Cop.Persistence.Promotion;

/// <summary>A past backtest as the web UI lists it.</summary>
public sealed record BacktestSummary(Guid BacktestId, string ModelId, string? ModelVersion, string? PeriodType, DateOnly Start, DateOnly End,
    int? TotalTrades, double? WinRate, double? Sharpe, double? MaxDrawdown, double? TotalPnl, double? TotalReturn, double? ProfitFactor,
    string? RunSource, DateTime RunAt, string? CreatedBy);

/// <summary>A past backtest with its equity curve and trades (the JSON backtest_results keeps).</summary>
public sealed record BacktestDetail(BacktestSummary Summary, string? EquityCurveJson, string? TradesJson);

/// <summary>backtest_results as the web UI reads it: the list of past runs and one run in full.</summary>
public sealed class BacktestListing(NpgsqlDataSource db)
{
    private const string Columns = """
        backtest_uuid, model_id, model_version, period_type, start_date, end_date, total_trades, win_rate::float8, sharpe_ratio::float8,
        max_drawdown_pct::float8, total_pnl::float8, total_return_pct::float8, profit_factor::float8, run_source, run_at, created_by
        """;

    private static BacktestSummary Read(NpgsqlDataReader r) => new(r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
        r.IsDBNull(3) ? null : r.GetString(3), r.GetFieldValue<DateOnly>(4), r.GetFieldValue<DateOnly>(5), r.IsDBNull(6) ? null : r.GetInt32(6),
        D(r, 7), D(r, 8), D(r, 9), D(r, 10), D(r, 11), D(r, 12), r.IsDBNull(13) ? null : r.GetString(13), r.GetDateTime(14),
        r.IsDBNull(15) ? null : r.GetString(15));

    private static double? D(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    public async Task<IReadOnlyList<BacktestSummary>> ListAsync(string? modelId, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM backtest_results WHERE @m::text IS NULL OR model_id = @m ORDER BY run_at DESC, id DESC LIMIT @n");
        cmd.Parameters.AddWithValue("m", NpgsqlTypes.NpgsqlDbType.Text, (object?)modelId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("n", limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<BacktestSummary>();
        while (await r.ReadAsync(ct)) list.Add(Read(r));
        return list;
    }

    public async Task<BacktestDetail?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns}, equity_curve::text, trades::text FROM backtest_results WHERE backtest_uuid = @id");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new BacktestDetail(Read(r), r.IsDBNull(16) ? null : r.GetString(16), r.IsDBNull(17) ? null : r.GetString(17));
    }
}
