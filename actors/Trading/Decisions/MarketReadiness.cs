using Cop.Trading.Features;

namespace Cop.Trading.Decisions;

/// <summary>
/// Whether a model may trade a bar at all (the spec's readiness, before any risk rule): the bar
/// is a session bar on a Colombian trading day, and its macro inputs are there and fresh: every
/// macro feature (#6-#12) present and the oldest of their newest values at most
/// <c>maxMacroAge</c> old on the bar's Bogota date. Pure: live trading, replays and backtests
/// ask the same question.
/// </summary>
public static class MarketReadiness
{
    public static Readiness Of(DateTime barTime, ReadOnlySpan<double?> raw, DateOnly? macroAsOf, TimeSpan maxMacroAge)
    {
        var day = TradingSession.BogotaDate(barTime);
        if (!TradingSession.IsSessionBar(barTime) || !MarketCalendar.IsTradingDay(day)) return Readiness.MarketClosed;
        for (var k = FeatureNames.FirstMacro; k <= FeatureNames.LastMacro; k++)
            if (raw[k] is null) return Readiness.MacroStale;
        if (macroAsOf is not { } asOf || day.DayNumber - asOf.DayNumber > maxMacroAge.TotalDays) return Readiness.MacroStale;
        return Readiness.Ready;
    }
}
