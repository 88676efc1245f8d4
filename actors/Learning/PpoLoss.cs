using System.Buffers;
using System.Numerics;

namespace Cop.Learning;

/// <summary>
/// PPO's loss over a minibatch and its gradient, as stable-baselines3 computes it: policy loss
/// mean(-min(r A, clip(r, 1-eps, 1+eps) A)) with r = exp(log pi(a|s) - log pi_old(a|s)), value loss
/// mean((R - V(s))^2) (no value clipping, SB3's default), entropy bonus; the loss is
/// policy + vfCoef value - entCoef mean(entropy). <see cref="Accumulate"/> runs both networks forward
/// on the minibatch and adds the loss's gradient into the networks' gradients.
/// </summary>
public static class PpoLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Minibatch means: policy loss, value loss, entropy, approx-KL ((r - 1) - log r), clipped fraction.</summary>
    public readonly record struct Figures(double PolicyLoss, double ValueLoss, double Entropy, double ApproxKl, double ClipFraction);

    public static Figures Accumulate(ActorCritic<T> net, ReadOnlySpan<T> observations, ReadOnlySpan<int> actions, ReadOnlySpan<T> oldLogProbs,
        ReadOnlySpan<T> advantages, ReadOnlySpan<T> returns, T clipRange, T entCoef, T vfCoef)
    {
        var n = actions.Length;
        var actionCount = net.Actions;
        var scale = T.One / T.CreateChecked(n);
        var dLogits = ArrayPool<T>.Shared.Rent(n * actionCount);
        var dValues = ArrayPool<T>.Shared.Rent(n);
        Span<T> logProbs = stackalloc T[actionCount];
        double policyLoss = 0, valueLoss = 0, entropySum = 0, kl = 0, clipped = 0;
        try
        {
            var logits = net.Policy.Forward(observations, n);
            for (var s = 0; s < n; s++)
            {
                ActorCritic<T>.LogSoftmax(logits.Slice(s * actionCount, actionCount), logProbs);
                var action = actions[s];
                var advantage = advantages[s];
                var logRatio = logProbs[action] - oldLogProbs[s];
                var ratio = T.Exp(logRatio);
                var one = T.One;
                var unclipped = ratio * advantage;
                var clippedTerm = T.Clamp(ratio, one - clipRange, one + clipRange) * advantage;
                // min picks the unclipped term: its gradient flows; otherwise the clip is active (ratio
                // outside the range, where the clamp's derivative is 0), or both terms are equal inside it.
                var dLogProb = unclipped <= clippedTerm ? -advantage * ratio : T.Zero;
                var entropy = T.Zero;
                for (var j = 0; j < actionCount; j++) entropy -= T.Exp(logProbs[j]) * logProbs[j];
                for (var j = 0; j < actionCount; j++)
                {
                    var p = T.Exp(logProbs[j]);
                    var fromLogProb = ((j == action ? one : T.Zero) - p) * dLogProb;
                    var fromEntropy = entCoef * p * (logProbs[j] + entropy);   // d(-entCoef H)/dlogit_j
                    dLogits[s * actionCount + j] = scale * (fromLogProb + fromEntropy);
                }
                policyLoss -= double.CreateChecked(T.Min(unclipped, clippedTerm));
                entropySum += double.CreateChecked(entropy);
                var lr = double.CreateChecked(logRatio);
                kl += Math.Exp(lr) - 1 - lr;
                if (T.Abs(ratio - one) > clipRange) clipped++;
            }
            net.Policy.Backward(dLogits.AsSpan(0, n * actionCount));

            var values = net.Value.Forward(observations, n);
            for (var s = 0; s < n; s++)
            {
                var error = values[s] - returns[s];
                dValues[s] = scale * vfCoef * (error + error);
                valueLoss += double.CreateChecked(error * error);
            }
            net.Value.Backward(dValues.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(dLogits);
            ArrayPool<T>.Shared.Return(dValues);
        }
        return new Figures(policyLoss / n, valueLoss / n, entropySum / n, kl / n, clipped / n);
    }

    /// <summary>The minibatch loss itself, sample by sample, without gradients (the finite-difference check's reference).</summary>
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
