using System.Numerics;

namespace Cop.Learning;

/// <summary>
/// PPO's loss for one sample of a minibatch and its gradient, as stable-baselines3 computes it:
/// policy loss -min(r A, clip(r, 1-eps, 1+eps) A) with r = exp(log pi(a|s) - log pi_old(a|s)),
/// value loss (R - V(s))^2 (no value clipping, SB3's default), entropy bonus; the minibatch loss
/// is mean(policy) + vfCoef mean(value) - entCoef mean(entropy). <see cref="Accumulate"/> runs both
/// networks forward on the sample and adds <paramref name="scale"/> (1 / minibatch size) times its
/// gradient into the networks' gradients.
/// </summary>
public static class PpoLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly record struct Sample(double PolicyLoss, double ValueLoss, double Entropy, double LogRatio, bool Clipped, double Value);

    public static Sample Accumulate(ActorCritic<T> net, ReadOnlySpan<T> observation, int action, T oldLogProb, T advantage, T ret,
        T clipRange, T entCoef, T vfCoef, T scale)
    {
        Span<T> logProbs = stackalloc T[net.Actions];
        Span<T> dLogits = stackalloc T[net.Actions];
        ActorCritic<T>.LogSoftmax(net.Policy.Forward(observation), logProbs);

        var logRatio = logProbs[action] - oldLogProb;
        var ratio = T.Exp(logRatio);
        var one = T.One;
        var clippedRatio = T.Clamp(ratio, one - clipRange, one + clipRange);
        var unclipped = ratio * advantage;
        var clipped = clippedRatio * advantage;
        // min picks the unclipped term: its gradient flows; otherwise the clip is active (ratio
        // outside the range, where the clamp's derivative is 0), or both terms are equal inside it.
        var dLogProb = unclipped <= clipped ? -advantage * ratio : T.Zero;
        var policyLoss = -T.Min(unclipped, clipped);

        var entropy = T.Zero;
        for (var j = 0; j < logProbs.Length; j++) entropy -= T.Exp(logProbs[j]) * logProbs[j];
        for (var j = 0; j < dLogits.Length; j++)
        {
            var p = T.Exp(logProbs[j]);
            var fromLogProb = ((j == action ? one : T.Zero) - p) * dLogProb;
            // d(-entCoef H)/dlogit_j = entCoef p_j (log p_j + H)
            var fromEntropy = entCoef * p * (logProbs[j] + entropy);
            dLogits[j] = scale * (fromLogProb + fromEntropy);
        }
        net.Policy.Backward(dLogits);

        var value = net.Value.Forward(observation)[0];
        var error = value - ret;
        Span<T> dValue = [scale * vfCoef * (error + error)];
        net.Value.Backward(dValue);

        return new Sample(double.CreateChecked(policyLoss), double.CreateChecked(error * error), double.CreateChecked(entropy),
            double.CreateChecked(logRatio), T.Abs(ratio - one) > clipRange, double.CreateChecked(value));
    }

    /// <summary>The minibatch loss itself, without gradients (the finite-difference check's reference).</summary>
    public static double Loss(ActorCritic<T> net, ReadOnlySpan<T> observations, ReadOnlySpan<int> actions, ReadOnlySpan<T> oldLogProbs,
        ReadOnlySpan<T> advantages, ReadOnlySpan<T> returns, T clipRange, T entCoef, T vfCoef)
    {
        var n = actions.Length;
        var size = net.Observations;
        Span<T> logProbs = stackalloc T[net.Actions];
        var total = T.Zero;
        for (var i = 0; i < n; i++)
        {
            var obs = observations.Slice(i * size, size);
            ActorCritic<T>.LogSoftmax(net.Policy.Forward(obs), logProbs);
            var ratio = T.Exp(logProbs[actions[i]] - oldLogProbs[i]);
            var policyLoss = -T.Min(ratio * advantages[i], T.Clamp(ratio, T.One - clipRange, T.One + clipRange) * advantages[i]);
            var entropy = T.Zero;
            for (var j = 0; j < logProbs.Length; j++) entropy -= T.Exp(logProbs[j]) * logProbs[j];
            var error = net.Value.Forward(obs)[0] - returns[i];
            total += policyLoss + vfCoef * error * error - entCoef * entropy;
        }
        return double.CreateChecked(total / T.CreateChecked(n));
    }
}
