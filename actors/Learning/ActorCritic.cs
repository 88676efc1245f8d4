using System.Numerics;

namespace Cop.Learning;

/// <summary>
/// The policy and value networks of stable-baselines3's MlpPolicy (net_arch pi=[64,64], vf=[64,64]:
/// two separate networks on the same observation): the policy's output is the logits of the
/// actions, the value network's a single state value. Orthogonal initialisation with SB3's gains:
/// sqrt(2) hidden, 0.01 on the policy head, 1 on the value head.
/// </summary>
public sealed class ActorCritic<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Mlp<T> Policy { get; }
    public Mlp<T> Value { get; }

    public ActorCritic(int observations, IReadOnlyList<int> hidden, int actions)
    {
        Policy = new Mlp<T>([observations, .. hidden, actions]);
        Value = new Mlp<T>([observations, .. hidden, 1]);
    }

    public int Observations => Policy.Inputs;
    public int Actions => Policy.Outputs;

    public void Initialise(SeededRandom rng)
    {
        Policy.InitialiseOrthogonal(rng, Math.Sqrt(2), 0.01);
        Value.InitialiseOrthogonal(rng, Math.Sqrt(2), 1);
    }

    public void ZeroGradients() { Policy.ZeroGradients(); Value.ZeroGradients(); }

    public ActorCritic<T> Clone()
    {
        var copy = new ActorCritic<T>(Observations, [.. Policy.Sizes.Skip(1).SkipLast(1)], Actions);
        copy.Policy.CopyParametersFrom(Policy);
        copy.Value.CopyParametersFrom(Value);
        return copy;
    }

    /// <summary>log softmax of <paramref name="logits"/> into <paramref name="logProbs"/> (max subtracted first).</summary>
    public static void LogSoftmax(ReadOnlySpan<T> logits, Span<T> logProbs)
    {
        var max = logits[0];
        for (var i = 1; i < logits.Length; i++) if (logits[i] > max) max = logits[i];
        var sum = T.Zero;
        for (var i = 0; i < logits.Length; i++) sum += T.Exp(logits[i] - max);
        var lse = max + T.Log(sum);
        for (var i = 0; i < logits.Length; i++) logProbs[i] = logits[i] - lse;
    }
}
