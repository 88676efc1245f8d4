namespace Cop.Trading.Decisions;

/// <summary>
/// One model's trading day (Bogota date) as its decisions add up: counts, the volume and costs of
/// its fills, and its paper equity (after each decision, marked to the bar's close) at the open,
/// close, low and high. The day opens at the previous day's close, so the days' PnL add up to the
/// account's. Built event by event (<see cref="Next"/>) by the model-daily-pnl projection.
/// </summary>
public sealed record DailyPnl(string ModelId, DateOnly Day, string Symbol, int Decisions, int Approved, int Trades, int Buys, int Sells,
    double Volume, double Costs, double EquityOpen, double EquityClose, double EquityLow, double EquityHigh, DateTime FirstBar, DateTime LastBar)
{
    public double Pnl => EquityClose - EquityOpen;

    /// <summary>The model's day after decision <paramref name="e"/>, given its latest day so far
    /// (null: its first decision). A decision of a later day opens a new day at the latest one's close.</summary>
    public static DailyPnl Next(DailyPnl? latest, string modelId, ModelDecided e)
    {
        var day = TradingSession.BogotaDate(e.BarTime);
        if (latest is not null && day < latest.Day)
            throw new InvalidOperationException($"{modelId}: decision for {e.BarTime:O} after one of {latest.Day:yyyy-MM-dd}: the journal is in bar order");
        var row = latest is not null && latest.Day == day ? latest : new DailyPnl(modelId, day, e.Symbol, 0, 0, 0, 0, 0, 0, 0,
            latest?.EquityClose ?? PaperAccount.InitialEquity, 0, e.EquityAfter, e.EquityAfter, e.BarTime, e.BarTime);
        var f = e.Fill;
        return row with
        {
            Decisions = row.Decisions + 1,
            Approved = row.Approved + (e.Verdict == RiskVerdict.Approved ? 1 : 0),
            Trades = row.Trades + (f is null ? 0 : 1),
            Buys = row.Buys + (f is not null && f.To > f.From ? 1 : 0),
            Sells = row.Sells + (f is not null && f.To < f.From ? 1 : 0),
            Volume = row.Volume + (f is null ? 0 : Math.Abs(f.To - f.From)),
            Costs = row.Costs + (f?.Cost ?? 0),
            EquityClose = e.EquityAfter,
            EquityLow = Math.Min(row.EquityLow, e.EquityAfter),
            EquityHigh = Math.Max(row.EquityHigh, e.EquityAfter),
            LastBar = e.BarTime,
        };
    }
}
