using Cop.Learning;

namespace Cop.Tests.Learning;

/// <summary>PPO's mathematics without the market: the gradient of the full loss against finite
/// differences, and learning a task whose optimal policy is known.</summary>
public class PpoTests
{
    /// <summary>The analytic gradient of surrogate + value + entropy (per minibatch, as the trainer
    /// accumulates it) equals central finite differences of the loss, for every parameter of both
    /// networks, in double on a tiny network; some samples' ratios lie outside the clip range so
    /// both branches of the min are exercised.</summary>
    [Fact]
    public void The_gradient_of_the_full_PPO_loss_matches_finite_differences()
    {
        const int obsSize = 3, actions = 3, n = 8;
        var rng = new SeededRandom(7);
        var net = new ActorCritic<double>(obsSize, [4, 4], actions);
        net.Policy.InitialiseOrthogonal(rng, Math.Sqrt(2), 1.0);   // a large head, so the policy is far from uniform
        net.Value.InitialiseOrthogonal(rng, Math.Sqrt(2), 1.0);
        foreach (var p in new[] { net.Policy.Parameters, net.Value.Parameters })
            for (var i = 0; i < p.Length; i++) p[i] += 0.1 * rng.NextGaussian();   // non-zero biases too
        var obs = new double[n * obsSize];
        for (var i = 0; i < obs.Length; i++) obs[i] = rng.NextGaussian();
        var acts = new int[n];
        var oldLogProbs = new double[n];
        var advantages = new double[n];
        var returns = new double[n];
        Span<double> logProbs = stackalloc double[actions];
        var clipped = 0;
        for (var i = 0; i < n; i++)
        {
            acts[i] = rng.NextInt(actions);
            ActorCritic<double>.LogSoftmax(net.Policy.Forward(obs.AsSpan(i * obsSize, obsSize)), logProbs);
            // Old policies that differ by up to +-0.6 in log probability: ratios from 0.55 to 1.8.
            oldLogProbs[i] = logProbs[acts[i]] + (i % 2 == 0 ? 0.6 : -0.6) * rng.NextDouble();
            if (Math.Abs(Math.Exp(logProbs[acts[i]] - oldLogProbs[i]) - 1) > 0.2) clipped++;
            advantages[i] = rng.NextGaussian();
            returns[i] = rng.NextGaussian();
        }
        Assert.InRange(clipped, 1, n - 1);
        const double clip = 0.2, ent = 0.05, vf = 0.5;

        net.ZeroGradients();
        var figures = PpoLoss<double>.Accumulate(net, obs, acts, oldLogProbs, advantages, returns, clip, ent, vf);
        Assert.InRange(figures.ClipFraction, 1.0 / n, 1 - 1.0 / n);

        double Loss() => PpoLoss<double>.Loss(net, obs, acts, oldLogProbs, advantages, returns, clip, ent, vf);
        var checkedCount = 0;
        foreach (var (parameters, gradients) in new[] { (net.Policy.Parameters, net.Policy.Gradients), (net.Value.Parameters, net.Value.Gradients) })
        {
            for (var k = 0; k < parameters.Length; k++)
            {
                const double h = 1e-6;
                var keep = parameters[k];
                parameters[k] = keep + h; var up = Loss();
                parameters[k] = keep - h; var down = Loss();
                parameters[k] = keep;
                var numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - gradients[k]) <= 1e-7 + 1e-5 * Math.Abs(numeric),
                    $"parameter {k}: analytic {gradients[k]:G10}, finite difference {numeric:G10}");
                checkedCount++;
            }
        }
        Assert.Equal(2 * (3 * 4 + 4 + 4 * 4 + 4) + 4 * 3 + 3 + 4 + 1, checkedCount);
        Assert.Contains(net.Policy.Gradients, g => Math.Abs(g) > 1e-3);
    }

    /// <summary>A contextual bandit: the observation is one of two states (one-hot); in state 0 the
    /// only rewarded action is LONG (1), in state 1 SHORT (2); HOLD earns nothing. The optimal policy
    /// is known; PPO (the experiment's settings but a higher learning rate and short rollouts) must
    /// reach it within a fixed number of steps.</summary>
    [Fact]
    public void PPO_learns_the_optimal_policy_of_a_contextual_bandit()
    {
        var env = new Bandit(new SeededRandom(3));
        var trainer = new PpoTrainer(env, new PpoSettings { NSteps = 256, BatchSize = 64, LearningRate = 3e-3 }, seed: 11);
        var stats = trainer.Run(20_480).ToList();
        Assert.Equal(80, stats.Count);
        Span<float> logProbs = stackalloc float[3];
        for (var state = 0; state < 2; state++)
        {
            float[] obs = state == 0 ? [1, 0] : [0, 1];
            ActorCritic<float>.LogSoftmax(trainer.Network.Policy.Forward(obs), logProbs);
            var best = state == 0 ? 1 : 2;
            Assert.True(Math.Exp(logProbs[best]) > 0.95, $"state {state}: P(best) = {Math.Exp(logProbs[best]):F3}");
        }
        Assert.True(stats[^1].EpisodeReward > 0.9, $"last rollout's mean episode reward {stats[^1].EpisodeReward:F3}");
        Assert.True(stats[0].EpisodeReward < 0.5, $"the first rollout already earned {stats[0].EpisodeReward:F3}: the task is not being learned");
    }

    private sealed class Bandit(SeededRandom rng) : IEnvironment
    {
        private int _state;
        public int ObservationSize => 2;
        public int ActionCount => 3;

        public void Reset(Span<float> observation)
        {
            _state = rng.NextInt(2);
            observation[0] = _state == 0 ? 1 : 0;
            observation[1] = _state == 1 ? 1 : 0;
        }

        public EnvironmentStep Step(int action, double probability, Span<float> observation)
        {
            var reward = action == (_state == 0 ? 1 : 2) ? 1.0 : 0.0;
            return new EnvironmentStep(reward, Terminated: true, Truncated: false);
        }
    }
}
