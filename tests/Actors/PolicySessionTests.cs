using Cop.Actors.Models;
using Cop.Trading.Decisions;

namespace Cop.Tests.Actors;

/// <summary>ONNX Runtime on models Cop writes itself (no download).</summary>
public class PolicySessionTests
{
    private static string Write(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cop-model-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void The_generated_baseline_loads_and_computes_obs_times_W_plus_b()
    {
        var path = Write(BaselinePolicy.OnnxBytes());
        using var session = PolicySession.Load(path, PolicySession.Sha256Of(path));
        var (w, b) = BaselinePolicy.Parameters();
        var rng = new Random(5);
        for (var n = 0; n < 50; n++)
        {
            var obs = Enumerable.Range(0, 15).Select(_ => (float)(rng.NextDouble() * 10 - 5)).ToArray();
            var logits = session.Logits(obs);
            for (var j = 0; j < 3; j++)
            {
                var expected = b[j] + Enumerable.Range(0, 15).Sum(i => obs[i] * w[i, j]);
                Assert.Equal(expected, logits[j], 4);
            }
        }
        // rsi far below its mean, 4h return up: LONG.
        var oversold = new float[15];
        oversold[3] = -2; oversold[2] = 1;
        Assert.Equal(TradeAction.Long, session.Decide(oversold).Action);
        File.Delete(path);
    }

    /// <summary>The backtest's call (input and output bound once) answers exactly as the live one, run after run.</summary>
    [Fact]
    public void Act_answers_as_Decide_bit_for_bit()
    {
        var path = Write(BaselinePolicy.OnnxBytes());
        using var session = PolicySession.Load(path, null);
        var rng = new Random(11);
        for (var n = 0; n < 2_000; n++)
        {
            var obs = Enumerable.Range(0, 15).Select(_ => (float)(rng.NextDouble() * 10 - 5)).ToArray();
            var (action, confidence, _) = session.Decide(obs);
            Assert.Equal((action, confidence), session.Act(obs));
        }
        File.Delete(path);
    }

    [Fact]
    public void A_hash_mismatch_a_corrupt_file_and_wrong_shapes_are_refused_by_name()
    {
        var good = Write(BaselinePolicy.OnnxBytes());
        Assert.Contains("does not match the registry", Assert.Throws<ModelRejectedException>(() => PolicySession.Load(good, new string('0', 64))).Message);

        var corrupt = Write([.. BaselinePolicy.OnnxBytes().Take(40)]);
        Assert.Contains("not a loadable ONNX model", Assert.Throws<ModelRejectedException>(() => PolicySession.Load(corrupt, null)).Message);

        var narrow = Write(OnnxWriter.LinearPolicy(new float[14, 3], new float[3]));
        Assert.Contains("has shape [1,14], expected [1,15]", Assert.Throws<ModelRejectedException>(() => PolicySession.Load(narrow, null)).Message);

        var fourActions = Write(OnnxWriter.LinearPolicy(new float[15, 4], new float[4]));
        Assert.Contains("output 'logits' has shape [1,4], expected [1,3]", Assert.Throws<ModelRejectedException>(() => PolicySession.Load(fourActions, null)).Message);
        Assert.Contains("not found", Assert.Throws<ModelRejectedException>(() => PolicySession.Load("/nonexistent.onnx", null)).Message);
        foreach (var p in new[] { good, corrupt, narrow, fourActions }) File.Delete(p);
    }
}
