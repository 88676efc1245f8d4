using Cop.Trading.Backtests;
using Cop.Trading.Decisions;

namespace Cop.Streams.Backtests;

/// <summary>
/// What a running backtest tells its watchers (the CLI's progress bar, the web UI's server-sent
/// events), in this order: <see cref="Started"/>, then <see cref="TradeFilled"/> for every fill,
/// <see cref="EquityUpdate"/> and <see cref="Progress"/> every few bars (cop.backtest.stream-points
/// times over the run, and after the last bar), then <see cref="Completed"/> once the result is stored.
/// A failure fails the stream; a cancelled run ends it without Completed and stores nothing.
/// </summary>
public abstract record BacktestEvent
{
    public sealed record Started(Guid BacktestId, string ModelId, string ModelVersion, BacktestPeriod Period, DateOnly From, DateOnly To,
        int TotalBars, BacktestMode Mode) : BacktestEvent;

    public sealed record Progress(int Bars, int TotalBars, DateTime BarTime, double Equity) : BacktestEvent
    {
        public double Fraction => TotalBars == 0 ? 1 : (double)Bars / TotalBars;
    }

    public sealed record TradeFilled(PaperFill Fill, double EquityAfter) : BacktestEvent;

    public sealed record EquityUpdate(EquityPoint Point) : BacktestEvent;

    public sealed record Completed(BacktestResult Result) : BacktestEvent;
}
