using Cop.Persistence.Stores;
using Cop.Tests.Infrastructure;
using Npgsql;

namespace Cop.Tests.Persistence;

/// <summary>The demo's summary figures, counted from the tables: per source, per model, and a feature
/// row complete only when every name of FeatureNames.Ordered (position included) is present.</summary>
[Collection(PersistenceCollection.Name)]
public class PathSummaryStoreTests
{
    [Fact]
    public async Task Counts_feature_rows_quarantine_decisions_verdicts_trades_and_the_latest_equity()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("summary");
        const string all = "log_ret_5m, log_ret_1h, log_ret_4h, rsi_9, atr_pct, adx_14, dxy_z, dxy_change_1d, vix_z, embi_z, brent_change_1d, rate_spread, usdmxn_change_1d, time_normalized";
        await Sql.ExecAsync(cs, $"""
            INSERT INTO inference_features_5m (time, {all}, position) VALUES
                (@t0, 1,1,1,1,1,1,1,1,1,1,1,1,1,1, 0),
                (@t1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1, DEFAULT),
                (@t2, 1,1,1,NULL,1,1,1,1,1,1,1,1,1,1, 0),
                (@t3, 1,1,1,1,1,1,1,1,1,1,1,1,1,1, NULL)
            """, ("t0", Sql.BarTime(0)), ("t1", Sql.BarTime(1)), ("t2", Sql.BarTime(2)), ("t3", Sql.BarTime(3)));
        await Sql.ExecAsync(cs, """
            INSERT INTO quarantine (source, raw_payload, reason) VALUES ('demo:a', 'x', 'r'), ('demo:a', 'y', 'r'), ('demo:b', 'z', 'r')
            """);
        await Sql.ExecAsync(cs, """
            INSERT INTO trading.model_inferences (model_id, bar_time, observation_hash, action, confidence, risk_verdict) VALUES
                ('m1', @t0, repeat('0', 64), 'HOLD', 1, 'APPROVED'),
                ('m1', @t1, repeat('0', 64), 'LONG', 1, 'APPROVED'),
                ('m1', @t2, repeat('0', 64), 'SHORT', 1, 'BLOCKED'),
                ('m2', @t0, repeat('0', 64), 'HOLD', 1, 'APPROVED')
            """, ("t0", Sql.BarTime(0)), ("t1", Sql.BarTime(1)), ("t2", Sql.BarTime(2)));
        // The later bar is inserted first: the latest equity is by bar time, not by insertion.
        await Sql.ExecAsync(cs, """
            INSERT INTO trading.trades (model_id, bar_time, side, quantity, price, position_after, equity_after) VALUES
                ('m1', @t2, 'SELL', 1, 4000, 0, 9990.5),
                ('m1', @t1, 'BUY', 1, 4000, 1, 10010)
            """, ("t1", Sql.BarTime(1)), ("t2", Sql.BarTime(2)));
        await using var db = NpgsqlDataSource.Create(cs);
        var store = new PathSummaryStore(db);

        var m1 = await store.SummaryAsync("demo:a", "m1");
        Assert.Equal((4L, 2L, 2L), (m1.FeatureRows, m1.CompleteFeatureRows, m1.Quarantined));
        Assert.Equal((3L, 2L, (double?)9990.5), (m1.Decisions, m1.Trades, m1.LastEquity));
        Assert.Equal([("APPROVED", 2L), ("BLOCKED", 1L)], m1.RiskVerdicts);

        var m2 = await store.SummaryAsync("demo:b", "m2");
        Assert.Equal((1L, 1L, 0L, (double?)null), (m2.Quarantined, m2.Decisions, m2.Trades, m2.LastEquity));
        Assert.Equal([("APPROVED", 1L)], m2.RiskVerdicts);
    }
}
