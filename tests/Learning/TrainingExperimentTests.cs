using Akka.Configuration;
using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Tests.Infrastructure;

namespace Cop.Tests.Learning;

/// <summary>What `cop train` reads of an experiment: the shipped default (SB3's PPO defaults, the
/// live risk and costs), the environment's overrides, and bad values refused naming the key.</summary>
public class TrainingExperimentTests
{
    private static readonly ModelSettings Live = ShippedConfig.Settings().Trading.Models;

    private static TrainingExperiment Parse(string hocon) => TrainingExperiment.From("x", "x.conf", ConfigurationFactory.ParseString(hocon), Live);

    [Fact]
    public void The_default_experiment_is_SB3s_PPO_under_the_live_rules()
    {
        var e = TrainingExperiment.Load(Path.Combine(AppContext.BaseDirectory, "hocon", "experiments", "default.conf"), Live);
        Assert.Equal(("default", 42L, 1200, 100.0), (e.Name, e.Seed, e.EpisodeLength, e.RewardScale));
        var p = e.Ppo;
        Assert.Equal((500_000L, 2048, 64, 10, 0.99, 0.95, 0.2, 3e-4, 0.0, 0.5, 0.5, 1e-5, 10),
            (p.TotalTimesteps, p.NSteps, p.BatchSize, p.Epochs, p.Gamma, p.GaeLambda, p.ClipRange, p.LearningRate, p.EntCoef, p.VfCoef, p.MaxGradNorm, p.AdamEps, p.EvalEvery));
        Assert.Equal([64, 64], p.Hidden);
        Assert.Equal((Live.Risk, Live.Costs, Live.MaxMacroAge), (e.Rules.Risk, e.Rules.Costs, e.Rules.MaxMacroAge));
    }

    [Fact]
    public void The_environment_may_override_risk_limits_and_fill_costs()
    {
        var e = Parse("""
            experiment {
              environment {
                risk { cooldown-bars = 0, max-drawdown = 0.2 }
                paper { spread-bps = 5 }
              }
              ppo { hidden = [32] }
            }
            """);
        Assert.Equal((0, 0.2, Live.Risk.MaxTradesPerDay), (e.Rules.Risk.CooldownBars, e.Rules.Risk.MaxDrawdown, e.Rules.Risk.MaxTradesPerDay));
        Assert.Equal((5.0, Live.Costs.SlippageBps), (e.Rules.Costs.SpreadBps, e.Rules.Costs.SlippageBps));
        Assert.Equal([32], e.Ppo.Hidden);
    }

    [Theory]
    [InlineData("experiment { ppo { batch-size = 4096 } }", "batch-size must be in 1..n-steps")]
    [InlineData("experiment { ppo { activation = relu } }", "only tanh is implemented")]
    [InlineData("experiment { ppo { learning-rate = fast } }", "experiment.ppo.learning-rate = fast is not a number")]
    [InlineData("experiment { ppo { hidden = [64, 0] } }", "hidden must be a list of positive layer sizes")]
    [InlineData("experiment { environment { episode-length = 0 } }", "episode-length must be positive")]
    [InlineData("experiment { environment { paper { slippage-bps = -1 } } }", "must not be negative")]
    [InlineData("experiment { seed = 99999999999 }", "must fit 32 bits")]
    [InlineData("other { }", "no 'experiment' section")]
    public void A_bad_value_is_refused_naming_it(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(hocon));
        Assert.Contains(message, e.Message);
    }
}
