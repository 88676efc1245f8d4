using Akka.Configuration;
using Cop.Actors.Models;
using Cop.Learning;
using Cop.Trading.Decisions;

namespace Cop.Host.Application;

/// <summary>
/// What `cop train` reads of an experiment (hocon/experiments/&lt;name&gt;.conf): the seed, the
/// environment (episode length, reward scale, and the live risk limits and fill costs of
/// cop.trading unless `experiment.environment.risk` / `.paper` override them) and the PPO settings.
/// A bad value is refused naming its key.
/// </summary>
public sealed record TrainingExperiment(string Name, string File, long Seed, int EpisodeLength, double RewardScale, DecisionRules Rules, PpoSettings Ppo)
{
    public static string NameOf(string file) => Path.GetFileNameWithoutExtension(file);

    public static TrainingExperiment Load(string nameOrPath, ModelSettings live)
    {
        var file = DatasetExperiment.Locate(nameOrPath);   // one way to find an experiment, shared with cop dataset build
        Config config;
        try { config = ConfigurationFactory.ParseString(Configuration.HoconSyntax.ReadChecked(file)); }
        catch (ConfigurationException) { throw; }
        catch (Exception e) { throw new ConfigurationException($"{file} is not valid HOCON: {e.Message}"); }
        return From(NameOf(file), file, config, live);
    }

    public static TrainingExperiment From(string name, string file, Config c, ModelSettings live)
    {
        const string e = "experiment", env = "experiment.environment", p = "experiment.ppo";
        if (!c.HasPath(e)) throw new ConfigurationException($"{file}: no 'experiment' section");
        var defaults = new PpoSettings();
        var ppo = new PpoSettings
        {
            TotalTimesteps = Long(c, $"{p}.total-timesteps", defaults.TotalTimesteps),
            NSteps = Int(c, $"{p}.n-steps", defaults.NSteps),
            BatchSize = Int(c, $"{p}.batch-size", defaults.BatchSize),
            Epochs = Int(c, $"{p}.epochs", defaults.Epochs),
            Gamma = Double(c, $"{p}.gamma", defaults.Gamma),
            GaeLambda = Double(c, $"{p}.gae-lambda", defaults.GaeLambda),
            ClipRange = Double(c, $"{p}.clip-range", defaults.ClipRange),
            LearningRate = Double(c, $"{p}.learning-rate", defaults.LearningRate),
            EntCoef = Double(c, $"{p}.ent-coef", defaults.EntCoef),
            VfCoef = Double(c, $"{p}.vf-coef", defaults.VfCoef),
            MaxGradNorm = Double(c, $"{p}.max-grad-norm", defaults.MaxGradNorm),
            AdamEps = Double(c, $"{p}.adam-eps", defaults.AdamEps),
            NormaliseAdvantage = c.GetBoolean($"{p}.normalize-advantage", defaults.NormaliseAdvantage),
            Hidden = c.HasPath($"{p}.hidden") ? Read(c, $"{p}.hidden", "a list of layer sizes, e.g. [64, 64]", () => c.GetIntList($"{p}.hidden").ToList()) : defaults.Hidden,
            EvalEvery = Int(c, $"{p}.eval-every", defaults.EvalEvery),
        };
        var activation = c.GetString($"{p}.activation", "tanh");
        if (activation != "tanh") throw new ConfigurationException($"{p}.activation = {activation}: only tanh is implemented (SB3's MlpPolicy default)");
        if (ppo.Problem() is { } problem) throw new ConfigurationException($"{file}: {p}: {problem}");

        var risk = live.Risk with
        {
            MaxDrawdown = Double(c, $"{env}.risk.max-drawdown", live.Risk.MaxDrawdown),
            MaxTradesPerDay = Int(c, $"{env}.risk.max-trades-per-day", live.Risk.MaxTradesPerDay),
            CooldownBars = Int(c, $"{env}.risk.cooldown-bars", live.Risk.CooldownBars),
            MaxPosition = Int(c, $"{env}.risk.max-position", live.Risk.MaxPosition),
        };
        if (!(risk.MaxDrawdown > 0) || risk.MaxTradesPerDay <= 0 || risk.CooldownBars < 0 || risk.MaxPosition <= 0)
            throw new ConfigurationException($"{file}: {env}.risk: max-drawdown, max-trades-per-day and max-position must be positive, cooldown-bars not negative");
        var costs = new FillCosts(Double(c, $"{env}.paper.spread-bps", live.Costs.SpreadBps), Double(c, $"{env}.paper.slippage-bps", live.Costs.SlippageBps));
        if (costs.SpreadBps < 0 || costs.SlippageBps < 0) throw new ConfigurationException($"{file}: {env}.paper: spread-bps and slippage-bps must not be negative");
        var episode = Int(c, $"{env}.episode-length", 1200);
        if (episode <= 0) throw new ConfigurationException($"{file}: {env}.episode-length must be positive (is {episode})");
        var rewardScale = Double(c, $"{env}.reward-scale", 100);
        if (!(rewardScale > 0)) throw new ConfigurationException($"{file}: {env}.reward-scale must be positive (is {rewardScale})");
        var seed = Long(c, $"{e}.seed", 42);
        if (seed is < int.MinValue or > int.MaxValue) throw new ConfigurationException($"{file}: {e}.seed = {seed} must fit 32 bits");
        return new TrainingExperiment(name, file, seed, episode, rewardScale,
            new DecisionRules(risk, costs, live.MaxMacroAge), ppo);
    }

    private static T Read<T>(Config c, string key, string what, Func<T> get)
    {
        try { return get(); }
        catch (Exception ex) when (ex is not ConfigurationException) { throw new ConfigurationException($"{key} = {Show(c, key)} is not {what}"); }
    }

    private static string Show(Config c, string key) { try { return c.GetString(key); } catch { return "(unreadable)"; } }
    private static int Int(Config c, string key, int fallback) => c.HasPath(key) ? Read(c, key, "a whole number", () => c.GetInt(key)) : fallback;
    private static long Long(Config c, string key, long fallback) => c.HasPath(key) ? Read(c, key, "a whole number", () => c.GetLong(key)) : fallback;
    private static double Double(Config c, string key, double fallback) => c.HasPath(key) ? Read(c, key, "a number", () => c.GetDouble(key)) : fallback;
}
