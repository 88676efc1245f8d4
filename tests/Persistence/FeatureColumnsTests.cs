using Cop.Persistence.Stores;
using Cop.Trading.Features;

namespace Cop.Tests.Persistence;

/// <summary>The feature SQL and the Redis views come from the one feature list, and say what the
/// hand-written lists said before.</summary>
public class FeatureColumnsTests
{
    [Fact]
    public void The_column_list_and_the_completeness_check_are_the_feature_names_in_order()
    {
        Assert.Equal("f.log_ret_5m, f.log_ret_1h, f.log_ret_4h, f.rsi_9, f.atr_pct, f.adx_14, f.dxy_z, f.dxy_change_1d, f.vix_z, " +
                     "f.embi_z, f.brent_change_1d, f.rate_spread, f.usdmxn_change_1d, f.position, f.time_normalized",
            FeatureColumns.Join(c => "f." + c));
        // The expression new_features events carry (streams/Notifications/RowEvents.cs), word for word.
        const string rowEvents = """
            (o.log_ret_5m IS NOT NULL AND o.log_ret_1h IS NOT NULL AND o.log_ret_4h IS NOT NULL
             AND o.rsi_9 IS NOT NULL AND o.atr_pct IS NOT NULL AND o.adx_14 IS NOT NULL
             AND o.dxy_z IS NOT NULL AND o.dxy_change_1d IS NOT NULL AND o.vix_z IS NOT NULL
             AND o.embi_z IS NOT NULL AND o.brent_change_1d IS NOT NULL AND o.rate_spread IS NOT NULL
             AND o.usdmxn_change_1d IS NOT NULL AND o.time_normalized IS NOT NULL)
            """;
        Assert.Equal(string.Join(' ', rowEvents.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)), FeatureColumns.AllPresentSql("o"));
    }

    [Fact]
    public void The_online_views_cut_the_feature_list_into_price_macro_and_state()
    {
        Assert.Equal(["technical", "macro", "state"], OnlineFeatureStore.Views.Select(v => v.View));
        Assert.Equal(["log_ret_5m", "log_ret_1h", "log_ret_4h", "rsi_9", "atr_pct", "adx_14"], OnlineFeatureStore.Views[0].Features);
        Assert.Equal(["dxy_z", "dxy_change_1d", "vix_z", "embi_z", "brent_change_1d", "rate_spread", "usdmxn_change_1d"], OnlineFeatureStore.Views[1].Features);
        Assert.Equal(["position", "time_normalized"], OnlineFeatureStore.Views[2].Features);
        Assert.Equal(FeatureNames.Ordered, OnlineFeatureStore.Views.SelectMany(v => v.Features));
        Assert.Equal((13, 6, 12, 15), (FeatureNames.Position, FeatureNames.FirstMacro, FeatureNames.LastMacro, FeatureNames.Count));
    }
}
