using Cop.Persistence.Stores;
using Cop.Tests.Infrastructure;

namespace Cop.Tests.Web;

/// <summary>Set-up shared by the promotion API tests: models in the registry and backtests of them.</summary>
public static class PromotionFixture
{
    public static async Task RegisterAsync(string cs, string modelId, string status = "registered", string? experiment = null, DateTime? trainingStart = null)
    {
        await using var db = Npgsql.NpgsqlDataSource.Create(cs);
        await new ModelRegistryStore(db).RegisterAsync(new ModelRecord(modelId, "v1", $"/models/{modelId}.onnx", new string('a', 64), new string('b', 64), "{}",
            new string('c', 64), status, false, null, trainingStart));
        if (experiment is not null)
            await Sql.ExecAsync(cs, "UPDATE model_registry SET experiment_name = @e WHERE model_id = @id", ("e", experiment), ("id", modelId));
    }

    /// <summary>A backtest_results row with the given metrics (what the backtest engine stores).</summary>
    public static async Task<Guid> BacktestAsync(string cs, string modelId, double sharpe, double winRate, double maxDrawdown, int trades)
    {
        return await Sql.ScalarAsync<Guid>(cs, """
            INSERT INTO backtest_results (model_id, model_version, start_date, end_date, period_type, total_trades, win_rate, sharpe_ratio,
                max_drawdown_pct, total_pnl, total_return_pct, profit_factor, equity_curve, trades, run_source, created_by)
            VALUES (@m, 'v1', DATE '2024-07-01', DATE '2024-12-31', 'test', @n, @w, @s, @d, 100, 0.01, 1.2,
                '[{"time":"2024-07-01T13:00:00Z","equity":10000},{"time":"2024-12-31T17:55:00Z","equity":10100}]'::jsonb, '[]'::jsonb, 'backend', 'test')
            RETURNING backtest_uuid
            """, ("m", modelId), ("n", trades), ("w", (decimal)winRate), ("s", (decimal)sharpe), ("d", (decimal)maxDrawdown));
    }

    /// <summary>Puts a model in staging as a promotion would have, <paramref name="daysAgo"/> ago (an audit row of that time).</summary>
    public static async Task StagedAsync(string cs, string modelId, double daysAgo)
    {
        await Sql.ExecAsync(cs, "UPDATE model_registry SET status = 'staging' WHERE model_id = @id", ("id", modelId));
        await Sql.ExecAsync(cs, """
            INSERT INTO ml.model_promotion_audit (model_id, from_stage, to_stage, promoted_by, promoted_at, reason)
            VALUES (@id, 'registered', 'staging', 'test', NOW() - make_interval(secs => @s), 'test set-up')
            """, ("id", modelId), ("s", daysAgo * 86400));
    }

    /// <summary>Rows the promotion flow may change, as one string: a refused call must leave it as it was.</summary>
    public static Task<string> SnapshotAsync(string cs) => Sql.ScalarAsync<string>(cs, """
        SELECT concat_ws(' | ',
            (SELECT count(*) FROM promotion_requests), (SELECT count(*) FROM ml.promotion_events), (SELECT count(*) FROM ml.model_promotion_audit),
            (SELECT string_agg(model_id || ':' || status || ':' || kill_switch || ':' || coalesce(deployed_at::text, '-'), ',' ORDER BY model_id) FROM model_registry),
            (SELECT string_agg(request_uuid::text || ':' || manual_vote_status || ':' || final_decision, ',' ORDER BY id) FROM promotion_requests),
            (SELECT count(*) FROM backtest_results))
        """);
}
