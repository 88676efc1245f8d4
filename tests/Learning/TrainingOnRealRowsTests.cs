using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Learning;
using Cop.Tests.EndToEnd;
using Cop.Tests.Infrastructure;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Tests.Learning;

/// <summary>Training on real rows (the bundled 2020 H1 bars through the real feature path): the
/// environment is the live rule, a seed gives a byte-identical ONNX file, and ONNX Runtime's logits
/// for the export equal the trainer's forward pass on every validation row.</summary>
[Collection(EndToEndCollection.Name)]
public class TrainingOnRealRowsTests
{
    private static readonly DecisionRules Rules = new(new RiskLimits(), new FillCosts(), TimeSpan.FromDays(7));

    private static TrainingExperiment Small(long timesteps) => new("test", "test.conf", 42, 300, 100, Rules,
        new PpoSettings { TotalTimesteps = timesteps, NSteps = 512, BatchSize = 64, Epochs = 4, EvalEvery = 2 });

    private static NormStats NormOf(IReadOnlyList<FeatureSnapshot> rows) => new([.. Enumerable.Range(0, FeatureNames.Count).Select(k =>
    {
        var xs = rows.Select(r => r.Raw[k]).OfType<double>().ToList();
        var mean = xs.Average();
        return new FeatureStat(mean, Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1)));
    })]);

    [Fact]
    public async Task A_scripted_action_sequence_through_the_environment_decides_fills_and_values_as_ModelState_driven_directly()
    {
        var (train, _) = await RealFeatureRows.LoadAsync();
        var norm = NormOf(train);
        const int start = 100, length = 600;
        var env = new TradingEnvironment(train, norm, Rules, length, new SeededRandom(1));
        var obs = new float[FeatureNames.Count];
        env.ResetAt(start, obs);
        var direct = ModelState.Start("USD/COP");
        var expectedObs = new float[FeatureNames.Count];
        var script = new SeededRandom(5);
        var rewards = 0.0;
        var fills = 0;
        var verdicts = new HashSet<RiskVerdict>();
        for (var t = 0; t < length; t++)
        {
            var bar = train[start + t];
            direct.Observe(bar, norm, expectedObs);
            Assert.Equal(expectedObs, obs);
            var action = (TradeAction)script.NextInt(3);
            var step = env.Step((int)action, 0.5, obs);
            var expected = direct.Decide(bar, expectedObs, action, 0.5, Rules, killSwitch: false, latencyMs: 0);
            direct = direct.Apply(expected);
            Assert.Equal(expected, env.LastDecision);
            Assert.Equal(direct, env.State);
            rewards += step.Reward;
            if (expected.Fill is not null) fills++;
            verdicts.Add(expected.Verdict);
            Assert.Equal(t == length - 1, step.Truncated);
        }
        Assert.True(fills > 20, $"only {fills} fills: the script did not exercise the account");
        Assert.Contains(RiskVerdict.Cooldown, verdicts);   // the live risk rules refused some of the script's trades
        // The rewards sum to the episode's equity change, marked to the close after its last decision.
        var after = train[start + length];
        var finalEquity = direct.Account.MarkToMarket(after.Close, Cop.Trading.TradingSession.BogotaDate(after.BarTime)).Equity;
        Assert.Equal((finalEquity - PaperAccount.InitialEquity) / PaperAccount.InitialEquity * 100, rewards, 9);
    }

    [Fact]
    public async Task Two_trainings_with_the_same_seed_give_byte_identical_ONNX_files_and_another_seed_does_not()
    {
        var (train, validation) = await RealFeatureRows.LoadAsync();
        var norm = NormOf(train);
        var dirs = Enumerable.Range(0, 3).Select(_ => Path.Combine(Path.GetTempPath(), $"cop-train-{Guid.NewGuid():N}")).ToList();
        try
        {
            var a = PolicyTraining.Train(Small(2048), train, validation, norm, dirs[0]);
            var b = PolicyTraining.Train(Small(2048), train, validation, norm, dirs[1]);
            var c = PolicyTraining.Train(Small(2048), train, validation, norm, dirs[2], seed: 43);
            Assert.Equal(File.ReadAllBytes(a.ModelPath), File.ReadAllBytes(b.ModelPath));
            Assert.Equal(a.Sha256, b.Sha256);
            Assert.Equal(a.Network.Value.Parameters, b.Network.Value.Parameters);
            Assert.Equal(File.ReadAllText(Path.Combine(dirs[0], PolicyTraining.LogFile)).Split('\n').Length,
                File.ReadAllText(Path.Combine(dirs[1], PolicyTraining.LogFile)).Split('\n').Length);
            Assert.NotEqual(a.Sha256, c.Sha256);
            Assert.Equal(4, a.Updates);
        }
        finally { foreach (var d in dirs) if (Directory.Exists(d)) Directory.Delete(d, true); }
    }

    [Fact]
    public async Task ONNX_Runtime_gives_the_trainers_logits_on_every_validation_row()
    {
        var (train, validation) = await RealFeatureRows.LoadAsync();
        var norm = NormOf(train);
        var dir = Path.Combine(Path.GetTempPath(), $"cop-train-{Guid.NewGuid():N}");
        try
        {
            var result = PolicyTraining.Train(Small(4096), train, validation, norm, dir);
            using var session = PolicySession.Load(result.ModelPath, result.Sha256);
            // Every validation row, observed as the evaluation observes it (the model's own position included).
            var state = ModelState.Start("USD/COP");
            var obs = new float[FeatureNames.Count];
            var maxDiff = 0.0;
            var maxLogit = 0.0;
            foreach (var bar in validation)
            {
                state.Observe(bar, norm, obs);
                var expected = result.Network.Policy.Forward(obs).ToArray();
                var actual = session.Logits(obs);
                for (var j = 0; j < 3; j++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(expected[j] - actual[j]));
                    maxLogit = Math.Max(maxLogit, Math.Abs(expected[j]));
                }
                var (action, confidence) = Policy.Decide(expected);
                state = state.Apply(state.Decide(bar, obs, action, confidence, Rules, false, 0));
            }
            Assert.True(maxDiff <= 1e-5, $"max |ONNX - trainer| = {maxDiff:G3} over {validation.Count} rows");
            Assert.True(maxLogit > 1e-3, $"the logits are all ~0 ({maxLogit:G3}): the check would prove nothing");
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
