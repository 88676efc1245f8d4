namespace Cop.Streams.Backtests;

/// <summary>hocon: cop.backtest.</summary>
/// <param name="StreamPoints">About how many progress and equity events a run emits (trades are all emitted).</param>
/// <param name="ActorInFlight">Actor mode: bars asked of the DeployedModel before the first answer is awaited.</param>
/// <param name="ActorAskTimeout">Actor mode: one bar's answer.</param>
public sealed record BacktestSettings(int StreamPoints = 500, int ActorInFlight = 8, TimeSpan? ActorAskTimeout = null)
{
    public TimeSpan AskTimeout => ActorAskTimeout ?? TimeSpan.FromSeconds(10);
}
