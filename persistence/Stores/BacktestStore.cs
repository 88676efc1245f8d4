using System.Globalization;
using System.Text;
using System.Text.Json;
using Cop.Streams.Backtests;
using Cop.Trading.Backtests;
using Cop.Trading.Decisions;
using Cop.Trading.Features;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>
/// What a backtest reads (the model and its experiment's splits, the stored feature rows through
/// the same mapper as the live read) and backtest_results, one row per finished run written by one
/// INSERT. The trades, equity curve and daily returns are JSON arrays of objects whose numbers are
/// the doubles' shortest round-trip form, so the signature can be recomputed from the stored row.
/// </summary>
public sealed class BacktestStore(NpgsqlDataSource db) : IBacktestData, IBacktestResults
{
    private readonly FeatureReader _features = new(db);

    public async Task<BacktestModel?> FindModelAsync(string modelId, CancellationToken ct = default)
    {
        // A model's validation and test periods are the splits of the dataset it was trained on
        // (cop train records the model against that dataset version in experiment_models).
        await using var cmd = db.CreateCommand("""
            SELECT m.model_id, m.model_version, m.file_path, m.file_sha256, m.norm_stats::text, m.training_start_date, m.training_end_date,
                   e.val_start, e.val_end, e.test_start, e.test_end
            FROM model_registry m
            LEFT JOIN LATERAL (SELECT r.val_start, r.val_end, r.test_start, r.test_end
                               FROM experiment_models x
                               JOIN experiment_runs r ON r.experiment_name = x.experiment_name AND r.version = x.dataset_version
                               WHERE x.model_id = m.model_id AND x.model_version = m.model_version
                               ORDER BY x.created_at DESC, x.id DESC LIMIT 1) e ON TRUE
            WHERE m.model_id = @id
            """);
        cmd.Parameters.AddWithValue("id", modelId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        DateOnly? Day(int i) => r.IsDBNull(i) ? null : DateOnly.FromDateTime(r.GetDateTime(i).ToUniversalTime());
        (DateOnly, DateOnly)? Split(int a, int b) => Day(a) is { } f && Day(b) is { } t ? (f, t) : null;
        return new BacktestModel(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Day(5), Day(6), Split(7, 8), Split(9, 10));
    }

    public Task<IReadOnlyList<FeatureSnapshot>> FeatureRowsAsync(string symbol, DateTime from, DateTime until, CancellationToken ct = default) =>
        _features.ReadRangeAsync(symbol, from, until, ct);

    public async Task SaveAsync(BacktestResult result, CancellationToken ct = default)
    {
        var m = result.Report;
        await using var cmd = db.CreateCommand("""
            INSERT INTO backtest_results (backtest_uuid, model_id, model_version, start_date, end_date, period_type, is_out_of_sample,
                total_trades, win_rate, sharpe_ratio, max_drawdown_pct, total_pnl, total_return_pct, profit_factor,
                trades, equity_curve, daily_returns, signature, run_source, run_at, created_by,
                symbol, engine, features_source, bars, initial_equity, final_equity, exposure, avg_holding_bars, metrics, rules, elapsed_ms)
            VALUES (@id, @model, @version, @start, @end, @period, @oos,
                @trades_n, round(@win::numeric, 4), round(@sharpe::numeric, 4), round(@dd::numeric, 4), round(@pnl::numeric, 2), round(@ret::numeric, 4), round(@pf::numeric, 4),
                @trades::jsonb, @curve::jsonb, @daily::jsonb, @signature, @source, @run_at, @by,
                @symbol, @engine, @features, @bars, @initial, @final, round(@exposure::numeric, 4), @holding, @metrics::jsonb, @rules::jsonb, @elapsed)
            """);
        var p = cmd.Parameters;
        p.AddWithValue("id", result.BacktestId);
        p.AddWithValue("model", result.ModelId);
        p.AddWithValue("version", result.ModelVersion);
        p.AddWithValue("start", result.From);
        p.AddWithValue("end", result.To);
        p.AddWithValue("period", result.Period.ToString().ToLowerInvariant());
        p.AddWithValue("oos", result.Period != BacktestPeriod.Custom);
        p.AddWithValue("trades_n", m.TotalTrades);
        p.AddWithValue("win", m.WinRate);
        p.AddWithValue("sharpe", m.Sharpe);
        p.AddWithValue("dd", m.MaxDrawdown);
        p.AddWithValue("pnl", m.TotalPnl);
        p.AddWithValue("ret", m.TotalReturn);
        p.AddWithValue("pf", NpgsqlDbType.Double, (object?)m.ProfitFactor ?? DBNull.Value);
        p.AddWithValue("trades", TradesJson(m.Fills));
        p.AddWithValue("curve", CurveJson(m.EquityCurve));
        p.AddWithValue("daily", DailyJson(m.DailyReturns));
        p.AddWithValue("signature", result.Signature);
        p.AddWithValue("source", result.RunSource);
        p.AddWithValue("run_at", NpgsqlDbType.TimestampTz, result.RunAt);
        p.AddWithValue("by", result.CreatedBy);
        p.AddWithValue("symbol", result.Symbol);
        p.AddWithValue("engine", result.Mode == BacktestMode.FastLoop ? "fast" : "actor");
        p.AddWithValue("features", result.RebuiltFeatures ? "rebuilt" : "stored");
        p.AddWithValue("bars", m.Bars);
        p.AddWithValue("initial", m.InitialEquity);
        p.AddWithValue("final", m.FinalEquity);
        p.AddWithValue("exposure", m.Exposure);
        p.AddWithValue("holding", m.AverageHoldingBars);
        p.AddWithValue("metrics", MetricsJson(m));
        p.AddWithValue("rules", RulesJson(result.Rules));
        p.AddWithValue("elapsed", result.Elapsed.TotalMilliseconds);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<StoredBacktest?> LoadAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT backtest_uuid, model_id, model_version, symbol, start_date, end_date, period_type, engine, features_source, bars, signature,
                   run_source, created_by, trades::text, equity_curve::text, daily_returns::text, metrics::text,
                   total_trades, win_rate, sharpe_ratio, max_drawdown_pct, total_pnl, total_return_pct, profit_factor
            FROM backtest_results WHERE backtest_uuid = @id
            """);
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        decimal? D(int i) => r.IsDBNull(i) ? null : r.GetDecimal(i);
        return new StoredBacktest(r.GetGuid(0), r.GetString(1), S(2), S(3), r.GetFieldValue<DateOnly>(4), r.GetFieldValue<DateOnly>(5), r.GetString(6),
            S(7), S(8), r.IsDBNull(9) ? null : r.GetInt32(9), r.GetString(10), r.GetString(11), S(12),
            ParseTrades(r.GetString(13)), ParseCurve(r.GetString(14)), ParseDaily(r.GetString(15)), ParseMetrics(S(16)),
            r.IsDBNull(17) ? null : r.GetInt32(17), D(18), D(19), D(20), D(21), D(22), D(23));
    }

    /// <summary>A model's live decision rows of one symbol with from &lt;= bar_time &lt; until, in bar order (to compare a backtest with).</summary>
    public async Task<IReadOnlyList<LiveDecision>> LiveDecisionsAsync(string modelId, string symbol, DateTime from, DateTime until, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT i.bar_time, i.action, i.risk_verdict, i.observation_hash, i.confidence, t.price, t.equity_after
            FROM trading.model_inferences i LEFT JOIN trading.trades t ON t.id = i.trade_id
            WHERE i.model_id = @m AND i.symbol = @s AND i.bar_time >= @from AND i.bar_time < @until ORDER BY i.bar_time
            """);
        cmd.Parameters.AddWithValue("m", modelId);
        cmd.Parameters.AddWithValue("s", symbol);
        cmd.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, from);
        cmd.Parameters.AddWithValue("until", NpgsqlDbType.TimestampTz, until);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<LiveDecision>();
        while (await r.ReadAsync(ct))
            rows.Add(new LiveDecision(r.GetDateTime(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDouble(4),
                r.IsDBNull(5) ? null : r.GetDouble(5), r.IsDBNull(6) ? null : r.GetDouble(6)));
        return rows;
    }

    /// <summary>How many rows of backtest_results a model has (tests: nothing stored by a failed or cancelled run).</summary>
    public async Task<long> CountAsync(string? modelId = null, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM backtest_results WHERE @m::text IS NULL OR model_id = @m");
        cmd.Parameters.AddWithValue("m", NpgsqlDbType.Text, (object?)modelId ?? DBNull.Value);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) write(w);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Time(DateTime t) => BacktestSignature.Time(t);

    public static string TradesJson(IReadOnlyList<PaperFill> fills) => Json(w =>
    {
        w.WriteStartArray();
        foreach (var f in fills)
        {
            w.WriteStartObject();
            w.WriteString("bar_time", Time(f.BarTime));
            w.WriteNumber("bar_index", f.BarIndex);
            w.WriteString("side", f.To > f.From ? "BUY" : "SELL");
            w.WriteNumber("from", f.From);
            w.WriteNumber("to", f.To);
            w.WriteNumber("mid_price", f.MidPrice);
            w.WriteNumber("price", f.Price);
            w.WriteNumber("cost", f.Cost);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    public static string CurveJson(IReadOnlyList<EquityPoint> curve) => Json(w =>
    {
        w.WriteStartArray();
        foreach (var e in curve)
        {
            w.WriteStartObject();
            w.WriteString("bar_time", Time(e.BarTime));
            w.WriteNumber("equity", e.Equity);
            w.WriteNumber("position", e.Position);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    public static string DailyJson(IReadOnlyList<DailyReturn> daily) => Json(w =>
    {
        w.WriteStartArray();
        foreach (var d in daily)
        {
            w.WriteStartObject();
            w.WriteString("day", d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber("equity", d.Equity);
            w.WriteNumber("return", d.Return);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    public static string MetricsJson(PerformanceReport m) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("bars", m.Bars);
        w.WriteNumber("initial_equity", m.InitialEquity);
        w.WriteNumber("final_equity", m.FinalEquity);
        w.WriteNumber("total_trades", m.TotalTrades);
        w.WriteNumber("closed_trips", m.ClosedTrips);
        w.WriteNumber("win_rate", m.WinRate);
        w.WriteNumber("sharpe", m.Sharpe);
        w.WriteNumber("max_drawdown", m.MaxDrawdown);
        w.WriteNumber("total_pnl", m.TotalPnl);
        w.WriteNumber("total_return", m.TotalReturn);
        if (m.ProfitFactor is { } pf) w.WriteNumber("profit_factor", pf); else w.WriteNull("profit_factor");
        w.WriteNumber("gross_profit", m.GrossProfit);
        w.WriteNumber("gross_loss", m.GrossLoss);
        w.WriteNumber("exposure", m.Exposure);
        w.WriteNumber("average_holding_minutes", m.AverageHoldingTime.TotalMinutes);
        w.WriteNumber("average_holding_bars", m.AverageHoldingBars);
        w.WriteEndObject();
    });

    private static string RulesJson(DecisionRules rules) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("max_drawdown", rules.Risk.MaxDrawdown);
        w.WriteNumber("max_trades_per_day", rules.Risk.MaxTradesPerDay);
        w.WriteNumber("cooldown_bars", rules.Risk.CooldownBars);
        w.WriteNumber("max_position", rules.Risk.MaxPosition);
        w.WriteNumber("spread_bps", rules.Costs.SpreadBps);
        w.WriteNumber("slippage_bps", rules.Costs.SlippageBps);
        w.WriteNumber("max_macro_age_days", rules.MaxMacroAge.TotalDays);
        w.WriteEndObject();
    });

    private static DateTime ParseTime(string s) => DateTime.ParseExact(s, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public static IReadOnlyList<PaperFill> ParseTrades(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(e => new PaperFill(ParseTime(e.GetProperty("bar_time").GetString()!),
            e.GetProperty("bar_index").GetInt64(), e.GetProperty("from").GetInt32(), e.GetProperty("to").GetInt32(),
            e.GetProperty("mid_price").GetDouble(), e.GetProperty("price").GetDouble(), e.GetProperty("cost").GetDouble()))];
    }

    public static IReadOnlyList<EquityPoint> ParseCurve(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(e => new EquityPoint(ParseTime(e.GetProperty("bar_time").GetString()!),
            e.GetProperty("equity").GetDouble(), e.GetProperty("position").GetInt32()))];
    }

    public static IReadOnlyList<DailyReturn> ParseDaily(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(e => new DailyReturn(DateOnly.ParseExact(e.GetProperty("day").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            e.GetProperty("equity").GetDouble(), e.GetProperty("return").GetDouble()))];
    }

    private static IReadOnlyDictionary<string, double?> ParseMetrics(string? json)
    {
        if (json is null) return new Dictionary<string, double?>();
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Null ? (double?)null : p.Value.GetDouble());
    }
}
