using System.Diagnostics;
using Cop.Actors.Models;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Streams.Backtests;

/// <summary>
/// The fast loop: one model's decisions over feature rows in time order, with exactly the calls a
/// <see cref="DeployedModel"/> makes for a bar (ModelState.Observe, the ONNX <see cref="PolicySession"/>,
/// ModelState.Decide, Apply), the position carried from bar to bar, one observation buffer reused.
/// A backtest trades: the kill switch is off.
/// </summary>
public sealed class BacktestLoop(PolicySession policy, NormStats norm, DecisionRules rules, string symbol)
{
    private readonly float[] _observation = new float[PolicySession.ObservationSize];

    public ModelState State { get; private set; } = ModelState.Start(symbol);

    public ModelDecided Step(FeatureSnapshot bar)
    {
        var start = Stopwatch.GetTimestamp();
        State.Observe(bar, norm, _observation);
        var (action, confidence) = policy.Act(_observation);
        var decided = State.Decide(bar, _observation, action, confidence, rules, killSwitch: false, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        State = State.Apply(decided);
        return decided;
    }

    /// <summary>The decision row live trading writes for a decision (DeployedModel's record of it).</summary>
    public static DecisionRecord Record(string modelId, ModelDecided e) =>
        new(modelId, e.Symbol, e.BarTime, e.ObservationHash, e.Action, e.Confidence, e.Verdict, e.LatencyMs, e.Fill, e.EquityAfter);
}
