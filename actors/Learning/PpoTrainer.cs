using System.Diagnostics;

namespace Cop.Learning;

/// <summary>
/// Proximal Policy Optimisation (Schulman et al. 2017) as stable-baselines3's PPO runs it, in float,
/// on one thread: collect <see cref="PpoSettings.NSteps"/> steps with the current policy (actions
/// sampled from its softmax), advantages by GAE(gamma, lambda) with a truncated episode's value
/// bootstrapped from its last observation, then <see cref="PpoSettings.Epochs"/> passes over the
/// rollout in shuffled minibatches: advantages normalised per minibatch, clipped surrogate + value
/// loss + entropy bonus, global gradient-norm clipping, Adam. Every random draw (initialisation,
/// sampling, shuffling) comes from one seeded generator in a fixed order, so a seed gives the same
/// weights bit for bit.
/// </summary>
public sealed class PpoTrainer
{
    private readonly IEnvironment _env;
    private readonly PpoSettings _settings;
    private readonly SeededRandom _rng;
    private readonly Adam<float> _adam;
    private readonly int _obsSize;
    private readonly float[] _observations, _logProbs, _values, _rewards, _advantages, _returns;
    private readonly int[] _actions;
    private readonly bool[] _dones;
    private readonly float[] _obs;
    private readonly int[] _order;
    private readonly float[] _batchObservations, _batchLogProbs, _batchReturns;
    private readonly int[] _batchActions;
    private double _episodeReward;

    public ActorCritic<float> Network { get; }
    public long Timesteps { get; private set; }
    public int Updates { get; private set; }

    private readonly Func<TimeSpan> _clock;

    /// <param name="clock">What rollout and update times are measured with: wall time by default;
    /// a benchmark on a shared machine passes the thread's CPU time.</param>
    public PpoTrainer(IEnvironment env, PpoSettings settings, long seed, Func<TimeSpan>? clock = null)
    {
        var wall = Stopwatch.StartNew();
        _clock = clock ?? (() => wall.Elapsed);
        if (settings.Problem() is { } problem) throw new ArgumentException($"ppo: {problem}");
        _env = env;
        _settings = settings;
        _rng = new SeededRandom(seed);
        _obsSize = env.ObservationSize;
        Network = new ActorCritic<float>(_obsSize, settings.Hidden, env.ActionCount);
        Network.Initialise(_rng);
        _adam = new Adam<float>([(Network.Policy.Parameters, Network.Policy.Gradients), (Network.Value.Parameters, Network.Value.Gradients)], settings.AdamEps);
        var n = settings.NSteps;
        _observations = new float[n * _obsSize];
        (_logProbs, _values, _rewards, _advantages, _returns) = (new float[n], new float[n], new float[n], new float[n], new float[n]);
        _actions = new int[n];
        _dones = new bool[n];
        _order = new int[n];
        _batchObservations = new float[settings.BatchSize * _obsSize];
        (_batchLogProbs, _batchReturns, _batchActions) = (new float[settings.BatchSize], new float[settings.BatchSize], new int[settings.BatchSize]);
        _obs = new float[_obsSize];
        _env.Reset(_obs);
    }

    /// <summary>Trains until <paramref name="totalTimesteps"/> (rounded up to whole rollouts, as
    /// SB3 does), yielding after each update; the caller may evaluate or stop between updates.</summary>
    public IEnumerable<UpdateStats> Run(long totalTimesteps, Action<long>? onStep = null)
    {
        while (Timesteps < totalTimesteps)
        {
            var start = _clock();
            var (episodeSum, episodes) = CollectRollout(onStep);
            var rolloutEnd = _clock();
            var stats = Update();
            var updateEnd = _clock();
            Updates++;
            yield return stats with
            {
                Update = Updates, Timesteps = Timesteps, EpisodeReward = episodes > 0 ? episodeSum / episodes : double.NaN, Episodes = episodes,
                RolloutTime = rolloutEnd - start, UpdateTime = updateEnd - rolloutEnd,
            };
        }
    }

    /// <summary>An action drawn from the policy's probabilities (training explores; deployment takes the argmax, Policy.Decide).</summary>
    private int Sample(ReadOnlySpan<float> logProbs)
    {
        var u = _rng.NextDouble();
        var cumulative = 0.0;
        for (var a = 0; a < logProbs.Length - 1; a++)
        {
            cumulative += Math.Exp(logProbs[a]);
            if (u < cumulative) return a;
        }
        return logProbs.Length - 1;
    }

    private (double EpisodeSum, int Episodes) CollectRollout(Action<long>? onStep)
    {
        var n = _settings.NSteps;
        var gamma = (float)_settings.Gamma;
        Span<float> logProbs = stackalloc float[_env.ActionCount];
        double episodeSum = 0;
        var episodes = 0;
        for (var t = 0; t < n; t++)
        {
            _obs.CopyTo(_observations, t * _obsSize);
            ActorCritic<float>.LogSoftmax(Network.Policy.Forward(_obs), logProbs);
            var action = Sample(logProbs);
            _actions[t] = action;
            _logProbs[t] = logProbs[action];
            _values[t] = Network.Value.Forward(_obs)[0];
            var step = _env.Step(action, Math.Exp(logProbs[action]), _obs);
            var reward = (float)step.Reward;
            _episodeReward += step.Reward;
            if (step.Done)
            {
                // SB3's handling of time limits: a cut episode would have gone on, so its value is kept.
                if (step.Truncated && !step.Terminated) reward += gamma * Network.Value.Forward(_obs)[0];
                episodeSum += _episodeReward;
                episodes++;
                _episodeReward = 0;
                _env.Reset(_obs);
            }
            _rewards[t] = reward;
            _dones[t] = step.Done;
            Timesteps++;
            onStep?.Invoke(Timesteps);
        }

        // GAE(gamma, lambda), backwards from the value of the observation after the rollout.
        var lambda = (float)_settings.GaeLambda;
        var nextValue = Network.Value.Forward(_obs)[0];
        var lastGae = 0f;
        for (var t = n - 1; t >= 0; t--)
        {
            var nonTerminal = _dones[t] ? 0f : 1f;
            var next = t == n - 1 ? nextValue : _values[t + 1];
            var delta = _rewards[t] + gamma * next * nonTerminal - _values[t];
            lastGae = delta + gamma * lambda * nonTerminal * lastGae;
            _advantages[t] = lastGae;
            _returns[t] = lastGae + _values[t];
        }
        return (episodeSum, episodes);
    }

    private UpdateStats Update()
    {
        var s = _settings;
        var n = s.NSteps;
        var clip = (float)s.ClipRange;
        var ent = (float)s.EntCoef;
        var vf = (float)s.VfCoef;
        double policyLoss = 0, valueLoss = 0, entropy = 0, approxKl = 0, clipFraction = 0, gradNorm = 0;
        var batches = 0;
        var minibatchAdvantages = new float[s.BatchSize];
        for (var epoch = 0; epoch < s.Epochs; epoch++)
        {
            _rng.Permutation(_order);
            for (var start = 0; start < n; start += s.BatchSize)
            {
                var size = Math.Min(s.BatchSize, n - start);
                var idx = _order.AsSpan(start, size);
                // Per-minibatch advantage normalisation (torch's unbiased std, + 1e-8), when the minibatch has more than one sample.
                double mean = 0, sq = 0;
                for (var i = 0; i < size; i++) mean += _advantages[idx[i]];
                mean /= size;
                for (var i = 0; i < size; i++) { var d = _advantages[idx[i]] - mean; sq += d * d; }
                var std = size > 1 ? Math.Sqrt(sq / (size - 1)) : 1;
                for (var i = 0; i < size; i++)
                    minibatchAdvantages[i] = s.NormaliseAdvantage && size > 1 ? (float)((_advantages[idx[i]] - mean) / (std + 1e-8)) : _advantages[idx[i]];

                for (var i = 0; i < size; i++)
                {
                    var k = idx[i];
                    _observations.AsSpan(k * _obsSize, _obsSize).CopyTo(_batchObservations.AsSpan(i * _obsSize, _obsSize));
                    _batchActions[i] = _actions[k];
                    _batchLogProbs[i] = _logProbs[k];
                    _batchReturns[i] = _returns[k];
                }
                Network.ZeroGradients();
                var f = PpoLoss<float>.Accumulate(Network, _batchObservations.AsSpan(0, size * _obsSize), _batchActions.AsSpan(0, size),
                    _batchLogProbs.AsSpan(0, size), minibatchAdvantages.AsSpan(0, size), _batchReturns.AsSpan(0, size), clip, ent, vf);
                gradNorm += _adam.ClipGradientNorm(s.MaxGradNorm);
                _adam.Step(s.LearningRate);
                policyLoss += f.PolicyLoss; valueLoss += f.ValueLoss; entropy += f.Entropy; approxKl += f.ApproxKl; clipFraction += f.ClipFraction;
                batches++;
            }
        }
        return new UpdateStats(0, 0, policyLoss / batches, valueLoss / batches, -entropy / batches, approxKl / batches, clipFraction / batches,
            ExplainedVariance(), gradNorm / batches, double.NaN, 0, TimeSpan.Zero, TimeSpan.Zero);
    }

    /// <summary>1 - Var(returns - values) / Var(returns) over the rollout (NaN when the returns do not vary).</summary>
    private double ExplainedVariance()
    {
        var n = _settings.NSteps;
        double meanR = 0, meanD = 0;
        for (var i = 0; i < n; i++) { meanR += _returns[i]; meanD += _returns[i] - _values[i]; }
        meanR /= n; meanD /= n;
        double varR = 0, varD = 0;
        for (var i = 0; i < n; i++)
        {
            var r = _returns[i] - meanR; varR += r * r;
            var d = _returns[i] - _values[i] - meanD; varD += d * d;
        }
        return varR == 0 ? double.NaN : 1 - varD / varR;
    }

    /// <summary>The trained policy's logits for an observation (the same forward pass the ONNX export encodes).</summary>
    public static float[] Logits(ActorCritic<float> network, ReadOnlySpan<float> observation) => network.Policy.Forward(observation).ToArray();
}
