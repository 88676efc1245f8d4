using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Actors.Models;

/// <summary>
/// The baseline policy Cop ships until training exists: linear in the normalised observation,
/// documented weight by weight. Logits (HOLD, LONG, SHORT):
///   HOLD  = 0.5
///   LONG  = -0.8 z(rsi_9) + 0.6 z(log_ret_4h) - 0.5 position
///   SHORT = +0.8 z(rsi_9) - 0.6 z(log_ret_4h) + 0.5 position
/// i.e. buy an oversold market whose 4-hour trend turns up, sell the opposite, and lean against
/// adding to the position already held. Every other feature has weight 0. Its norm_stats (the
/// only features it reads): rsi_9 mean 50, std 15; log_ret_4h mean 0, std 0.004 (about the 4-hour
/// move of USD/COP 2020-2025); everything else mean 0, std 1.
/// </summary>
public static class BaselinePolicy
{
    public const string ModelId = "baseline_linear_v1";

    public static (float[,] Weights, float[] Bias) Parameters()
    {
        var w = new float[FeatureNames.Count, PolicySession.ActionCount];
        int Index(string name) => FeatureNames.IndexOf(name);
        w[Index("rsi_9"), 1] = -0.8f; w[Index("rsi_9"), 2] = 0.8f;
        w[Index("log_ret_4h"), 1] = 0.6f; w[Index("log_ret_4h"), 2] = -0.6f;
        w[Index("position"), 1] = -0.5f; w[Index("position"), 2] = 0.5f;
        return (w, [0.5f, 0f, 0f]);
    }

    public static NormStats NormStats => new([.. FeatureNames.Ordered.Select(n => n switch
    {
        "rsi_9" => new FeatureStat(50, 15),
        "log_ret_4h" => new FeatureStat(0, 0.004),
        _ => new FeatureStat(0, 1),
    })]);

    public static byte[] OnnxBytes()
    {
        var (w, b) = Parameters();
        return OnnxWriter.LinearPolicy(w, b, "cop", "Cop baseline linear policy v1: see Cop.Actors.Models.BaselinePolicy");
    }
}
