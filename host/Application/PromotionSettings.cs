using Akka.Configuration;
using Cop.Trading.Promotion;

namespace Cop.Host.Application;

/// <summary>cop.promotion and cop.web (hocon/cop.conf): the automatic vote's thresholds per stage and
/// the web UI's settings. A missing or broken value stops start-up naming the key.</summary>
public sealed record PromotionSettings(PromotionThresholds Staging, PromotionThresholds Production, bool WebEnabled, TimeSpan SessionLifetime,
    int BacktestLimit)
{
    public PromotionThresholds For(PromotionStage stage) => stage == PromotionStage.Production ? Production : Staging;

    public static PromotionSettings From(Config c) => new(
        Thresholds(c, "cop.promotion.staging", PromotionThresholds.Staging),
        Thresholds(c, "cop.promotion.production", PromotionThresholds.Production),
        c.GetBoolean("cop.web.enabled", true),
        c.HasPath("cop.web.session-lifetime") ? Positive(c.GetTimeSpan("cop.web.session-lifetime"), "cop.web.session-lifetime") : TimeSpan.FromHours(8),
        AtLeastOne(c.GetInt("cop.web.backtest-limit", 2), "cop.web.backtest-limit"));

    private static int AtLeastOne(int n, string key) => n > 0 ? n : throw new ConfigurationException($"{key} = {n} must be at least 1");

    private static PromotionThresholds Thresholds(Config c, string path, PromotionThresholds spec)
    {
        double D(string key, double fallback) =>
            c.HasPath($"{path}.{key}") ? Finite(c.GetDouble($"{path}.{key}"), $"{path}.{key}") : fallback;
        var minTrades = c.HasPath($"{path}.min-trades") ? c.GetInt($"{path}.min-trades") : spec.MinTrades;
        if (minTrades < 0) throw new ConfigurationException($"{path}.min-trades = {minTrades} must not be negative");
        var t = new PromotionThresholds(D("min-sharpe", spec.MinSharpe), D("min-win-rate", spec.MinWinRate), D("max-drawdown", spec.MaxDrawdown), minTrades,
            c.HasPath($"{path}.min-staging-days") ? Finite(c.GetDouble($"{path}.min-staging-days"), $"{path}.min-staging-days") : spec.MinStagingDays);
        if (t.MinWinRate is < 0 or > 1) throw new ConfigurationException($"{path}.min-win-rate = {t.MinWinRate} is not a fraction between 0 and 1");
        if (t.MaxDrawdown is > 0 or < -1) throw new ConfigurationException($"{path}.max-drawdown = {t.MaxDrawdown} must be a negative fraction (-0.15 = -15 %)");
        return t;
    }

    private static double Finite(double v, string key) => double.IsFinite(v) ? v : throw new ConfigurationException($"{key} is not a number");

    private static TimeSpan Positive(TimeSpan v, string key) => v > TimeSpan.Zero ? v : throw new ConfigurationException($"{key} must be positive");
}
