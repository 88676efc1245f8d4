using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Cop.Actors.Models;
using Cop.Learning;
using Cop.Trading.Backtests;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Host.Application;

/// <summary>
/// The training half of `cop train`, without storage: PPO on the train split's environment, the
/// validation evaluation every `eval-every` updates and at the end (the best validation Sharpe is
/// kept), the baselines on the same bars, and the files: the ONNX export of the kept policy, its
/// norm_stats, the per-update log (JSON lines) and the evaluation, in <c>outputDirectory</c>.
/// </summary>
public static class PolicyTraining
{
    public const string ModelFile = "model.onnx", NormStatsFile = "norm_stats.json", LogFile = "training_log.jsonl", EvaluationFile = "evaluation.json";

    /// <summary>What happened at each update, for a progress display.</summary>
    public interface IObserver
    {
        void Step(long timesteps);
        void Updated(UpdateStats stats, PerformanceReport? validation);
    }

    public sealed record Result(string Directory, string ModelPath, string Sha256, int BestUpdate, int Updates, long Timesteps, TimeSpan Elapsed,
        IReadOnlyList<(string Policy, PerformanceReport Report)> Validation, ActorCritic<float> Network)
    {
        public PerformanceReport Model => Validation[0].Report;
    }

    public static Result Train(TrainingExperiment experiment, IReadOnlyList<FeatureSnapshot> train, IReadOnlyList<FeatureSnapshot> validation,
        NormStats norm, string outputDirectory, long? timesteps = null, long? seed = null, IObserver? observer = null)
    {
        if (train.Count < 2) throw new ArgumentException($"the train split has {train.Count} rows: too few to train on");
        if (validation.Count == 0) throw new ArgumentException("the validation split has no rows");
        var total = timesteps ?? experiment.Ppo.TotalTimesteps;
        if (total <= 0) throw new ArgumentException($"--timesteps must be positive (is {total})");
        var s = seed ?? experiment.Seed;
        Directory.CreateDirectory(outputDirectory);
        var clock = Stopwatch.StartNew();

        // Two generators from the one seed: the environment's episode starts, and the trainer's
        // initialisation, sampling and shuffling.
        var env = new TradingEnvironment(train, norm, experiment.Rules, experiment.EpisodeLength, new SeededRandom(s ^ 0x5EED_E4F1_0000L), experiment.RewardScale);
        var trainer = new PpoTrainer(env, experiment.Ppo, s);
        ActorCritic<float>? best = null;
        var bestSharpe = double.NegativeInfinity;
        var bestUpdate = 0;
        var logPath = Path.Combine(outputDirectory, LogFile);
        using (var log = new StreamWriter(logPath, append: false))
        {
            foreach (var stats in trainer.Run(total, observer is null ? null : observer.Step))
            {
                var last = trainer.Timesteps >= total;
                PerformanceReport? report = null;
                if (last || (experiment.Ppo.EvalEvery > 0 && stats.Update % experiment.Ppo.EvalEvery == 0))
                {
                    report = PolicyEvaluation.Run(validation, norm, experiment.Rules, PolicyEvaluation.Of(trainer.Network));
                    // Strictly better only: ties keep the earlier checkpoint, so the choice is deterministic.
                    if (report.Sharpe > bestSharpe || best is null)
                    {
                        bestSharpe = report.Sharpe;
                        best = trainer.Network.Clone();
                        bestUpdate = stats.Update;
                    }
                }
                log.WriteLine(LogLine(stats, report));
                observer?.Updated(stats, report);
            }
        }

        var kept = best!;
        var bytes = OnnxBytes(kept, $"Cop PPO policy: experiment {experiment.Name}, seed {s}, {trainer.Timesteps} timesteps, update {bestUpdate} kept");
        var modelPath = Path.Combine(outputDirectory, ModelFile);
        File.WriteAllBytes(modelPath, bytes);
        File.WriteAllText(Path.Combine(outputDirectory, NormStatsFile), norm.ToJson());
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var figures = Evaluate(kept, validation, norm, experiment.Rules, outputDirectory);
        File.WriteAllText(Path.Combine(outputDirectory, EvaluationFile), EvaluationJson(experiment, s, trainer.Timesteps, bestUpdate, figures));
        return new Result(outputDirectory, modelPath, sha, bestUpdate, trainer.Updates, trainer.Timesteps, clock.Elapsed, figures, kept);
    }

    /// <summary>The kept policy and the three baselines on the validation bars, all through ModelState:
    /// flat (always HOLD), buy-and-hold (always LONG), the linear baseline (its ONNX file through
    /// ONNX Runtime, with its own norm_stats, as deployed).</summary>
    public static IReadOnlyList<(string Policy, PerformanceReport Report)> Evaluate(ActorCritic<float> network, IReadOnlyList<FeatureSnapshot> validation,
        NormStats norm, DecisionRules rules, string scratchDirectory)
    {
        var baselinePath = Path.Combine(scratchDirectory, "baseline_linear.onnx.tmp");
        File.WriteAllBytes(baselinePath, BaselinePolicy.OnnxBytes());
        try
        {
            using var linear = PolicySession.Load(baselinePath, null);
            return
            [
                ("model", PolicyEvaluation.Run(validation, norm, rules, PolicyEvaluation.Of(network))),
                ("flat", PolicyEvaluation.Run(validation, norm, rules, PolicyEvaluation.Flat)),
                ("buy_and_hold", PolicyEvaluation.Run(validation, norm, rules, PolicyEvaluation.BuyAndHold)),
                ("linear_baseline", PolicyEvaluation.Run(validation, BaselinePolicy.NormStats, rules, (obs, logits) => linear.Logits(obs).CopyTo(logits))),
            ];
        }
        finally { File.Delete(baselinePath); }
    }

    /// <summary>The policy network as ONNX (Gemm/Tanh/.../Gemm): obs float[1,15] -> logits float[1,3].</summary>
    public static byte[] OnnxBytes(ActorCritic<float> network, string? docString = null)
    {
        var mlp = network.Policy;
        var layers = new List<OnnxWriter.Layer>();
        for (var l = 0; l < mlp.Layers; l++)
            layers.Add(new OnnxWriter.Layer(mlp.Weights(l).ToArray(), mlp.Sizes[l + 1], mlp.Sizes[l], mlp.Bias(l).ToArray()));
        return OnnxWriter.MlpPolicy(layers, "cop", docString);
    }

    private static string LogLine(UpdateStats s, PerformanceReport? validation)
    {
        var line = new Dictionary<string, object?>
        {
            ["update"] = s.Update, ["timesteps"] = s.Timesteps,
            ["policy_loss"] = Finite(s.PolicyLoss), ["value_loss"] = Finite(s.ValueLoss), ["entropy_loss"] = Finite(s.EntropyLoss),
            ["approx_kl"] = Finite(s.ApproxKl), ["clip_fraction"] = Finite(s.ClipFraction), ["explained_variance"] = Finite(s.ExplainedVariance),
            ["grad_norm"] = Finite(s.GradNorm), ["episode_reward"] = Finite(s.EpisodeReward), ["episodes"] = s.Episodes,
            ["rollout_seconds"] = s.RolloutTime.TotalSeconds, ["update_seconds"] = s.UpdateTime.TotalSeconds,
        };
        if (validation is not null)
        {
            line["validation_return"] = validation.TotalReturn;
            line["validation_sharpe"] = validation.Sharpe;
            line["validation_max_drawdown"] = validation.MaxDrawdown;
            line["validation_trades"] = validation.TotalTrades;
        }
        return JsonSerializer.Serialize(line);
    }

    private static double? Finite(double x) => double.IsFinite(x) ? x : null;

    private static string EvaluationJson(TrainingExperiment experiment, long seed, long timesteps, int bestUpdate,
        IReadOnlyList<(string Policy, PerformanceReport Report)> figures) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["experiment"] = experiment.Name, ["seed"] = seed, ["timesteps"] = timesteps, ["kept_update"] = bestUpdate,
            ["validation"] = figures.ToDictionary(f => f.Policy, f => (object)new Dictionary<string, object?>
            {
                ["total_return"] = f.Report.TotalReturn, ["sharpe"] = f.Report.Sharpe, ["max_drawdown"] = f.Report.MaxDrawdown,
                ["trades"] = f.Report.TotalTrades, ["win_rate"] = f.Report.WinRate, ["bars"] = f.Report.Bars,
            }),
        }, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>One line per policy for the console: return, Sharpe, drawdown, trades.</summary>
    public static string Describe(string policy, PerformanceReport r) => string.Create(CultureInfo.InvariantCulture,
        $"{policy,-16} return {r.TotalReturn,8:P2}  Sharpe {r.Sharpe,6:F2}  max drawdown {r.MaxDrawdown,8:P2}  trades {r.TotalTrades,5}");
}
