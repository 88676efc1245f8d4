namespace Cop.Streams.Backtests;

/// <summary>How a backtest decides its bars: the same domain functions either way.</summary>
public enum BacktestMode
{
    /// <summary>In-process loop over preloaded feature rows: ModelState.Observe, the ONNX policy, Decide, Apply.</summary>
    FastLoop,
    /// <summary>Through a DeployedModel actor (journal in memory), as live trading does: proves the loop and the actor agree.</summary>
    Actor,
}
