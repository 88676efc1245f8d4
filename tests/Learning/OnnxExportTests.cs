using System.Security.Cryptography;
using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Learning;

namespace Cop.Tests.Learning;

/// <summary>Cop's ONNX writer: the MLP graph it writes for a trained policy meets the deploy
/// contract and computes the network's forward pass; the baseline's linear graph is byte for byte
/// what it was before the MLP was added.</summary>
public class OnnxExportTests
{
    [Fact]
    public void The_baseline_policys_ONNX_bytes_are_unchanged()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(BaselinePolicy.OnnxBytes()));
        // The hash of the bytes the linear writer produced before the MLP writer was added beside it:
        // a deployed baseline's registered SHA-256 must stay valid.
        Assert.Equal("924c7f36f495374d429f6225db6e6afb1b0cf870acb5f24178be4c8cff66f084", sha);
    }

    [Fact]
    public void An_initialised_network_exports_to_a_model_PolicySession_loads_and_that_computes_its_logits()
    {
        var net = new ActorCritic<float>(15, [64, 64], 3);
        net.Policy.InitialiseOrthogonal(new SeededRandom(1), Math.Sqrt(2), 1.0);   // a large head: logits far from 0
        var rng = new SeededRandom(2);
        for (var i = 0; i < net.Policy.Parameters.Length; i++) net.Policy.Parameters[i] += (float)(0.05 * rng.NextGaussian());
        var path = Path.Combine(Path.GetTempPath(), $"cop-mlp-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, PolicyTraining.OnnxBytes(net, "test"));
        try
        {
            using var session = PolicySession.Load(path, PolicySession.Sha256Of(path));
            var obs = new float[15];
            for (var n = 0; n < 200; n++)
            {
                for (var k = 0; k < obs.Length; k++) obs[k] = (float)Math.Clamp(2 * rng.NextGaussian(), -5, 5);
                var expected = net.Policy.Forward(obs).ToArray();
                var actual = session.Logits(obs);
                for (var j = 0; j < 3; j++) Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-5, $"sample {n}, logit {j}: {expected[j]} vs {actual[j]}");
            }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Layers_that_do_not_chain_are_refused_naming_them()
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxWriter.MlpPolicy(
            [new OnnxWriter.Layer(new float[15 * 64], 64, 15, new float[64]), new OnnxWriter.Layer(new float[32 * 3], 3, 32, new float[3])]));
        Assert.Contains("layer 1 takes 32 inputs, layer 0 gives 64", e.Message);
    }
}
