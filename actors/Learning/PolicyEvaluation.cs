using Cop.Trading.Backtests;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Learning;

/// <summary>
/// A policy run over a split's bars as a deployed model runs them: from a flat account, each bar
/// observed with <see cref="ModelState.Observe"/> (its own norm_stats), the logits turned into the
/// action by <see cref="Policy.Decide"/> (argmax, as deployed), decided and applied by
/// <see cref="ModelState"/>; the figures are <see cref="PerformanceReport"/>'s, the one definition
/// of Sharpe and drawdown in Cop. The baselines go through the same path.
/// </summary>
public static class PolicyEvaluation
{
    /// <summary>Fills the logits for a normalised observation.</summary>
    public delegate void Logits(ReadOnlySpan<float> observation, Span<float> logits);

    public static PerformanceReport Run(IReadOnlyList<FeatureSnapshot> rows, NormStats norm, DecisionRules rules, Logits policy)
    {
        if (rows.Count == 0) throw new ArgumentException("no bars to evaluate on");
        var state = ModelState.Start(rows[0].Symbol);
        var tracker = new PerformanceTracker(PaperAccount.InitialEquity, rows.Count);
        var obs = new float[FeatureNames.Count];
        var logits = new float[3];
        foreach (var bar in rows)
        {
            state.Observe(bar, norm, obs);
            policy(obs, logits);
            var (action, confidence) = Policy.Decide(logits);
            var decided = state.Decide(bar, obs, action, confidence, rules, killSwitch: false, latencyMs: 0);
            state = state.Apply(decided);
            tracker.Add(decided);
        }
        return tracker.Report();
    }

    /// <summary>The trained network's policy head (argmax of the same logits the ONNX export gives).</summary>
    public static Logits Of(ActorCritic<float> network) => (obs, logits) => network.Policy.Forward(obs).CopyTo(logits);

    /// <summary>Always HOLD: stays flat.</summary>
    public static Logits Flat => (_, logits) => { logits.Clear(); logits[(int)TradeAction.Hold] = 1; };

    /// <summary>Always LONG: buys the first bar it may and holds.</summary>
    public static Logits BuyAndHold => (_, logits) => { logits.Clear(); logits[(int)TradeAction.Long] = 1; };
}
