using Cop.Actors.Models;
using Cop.Persistence.Stores;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Host.Application;

/// <summary>Model registration, the use case behind `cop models register|baseline` and the demo.</summary>
public static class ModelRegistration
{
    /// <summary>Registers an ONNX file after checking it meets the contract (loads, obs[1,15] ->
    /// logits[1,3]) and was trained on Cop's feature order. Returns the record.</summary>
    public static async Task<ModelRecord> RegisterAsync(ModelRegistryStore registry, string file, string modelId, string version,
        NormStats normStats, string featureOrderHash, string status = "registered", DateTime? trainingStart = null, DateTime? trainingEnd = null)
    {
        if (trainingStart > trainingEnd) throw new ArgumentException($"training start {trainingStart:yyyy-MM-dd} is after its end {trainingEnd:yyyy-MM-dd}");
        if (featureOrderHash != FeatureNames.OrderHash)
            throw new ArgumentException($"feature_order_hash {featureOrderHash} is not Cop's ({FeatureNames.OrderHash}): the model was trained on another observation order");
        var path = Path.GetFullPath(file);
        if (Directory.Exists(path)) throw new ArgumentException($"model file {path} is a directory: give the .onnx file");
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}");
        var sha = PolicySession.Sha256Of(path);
        using (PolicySession.Load(path, sha)) { }   // refuses a file that does not meet the contract, naming why
        var record = new ModelRecord(modelId, version, path, sha, featureOrderHash, normStats.ToJson(), normStats.Hash, status, false, null,
            trainingStart, trainingEnd);
        await registry.RegisterAsync(record);
        return record;
    }

    /// <summary>--norm-stats: the JSON file, or one line naming it and what is wrong with it.</summary>
    public static NormStats ReadNormStats(string file)
    {
        var path = Path.GetFullPath(file);
        if (Directory.Exists(path)) throw new ArgumentException($"--norm-stats {path} is a directory: give the JSON file");
        if (!File.Exists(path)) throw new FileNotFoundException($"--norm-stats file not found: {path}");
        try { return NormStats.FromJson(File.ReadAllText(path)); }
        catch (ArgumentException e) { throw new ArgumentException($"--norm-stats {path}: {e.Message}"); }
    }

    /// <summary>Writes the baseline policy's ONNX file under <paramref name="directory"/> and registers it.</summary>
    public static async Task<ModelRecord> RegisterBaselineAsync(ModelRegistryStore registry, string directory, bool deploy)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, BaselinePolicy.ModelId + ".onnx");
        await File.WriteAllBytesAsync(path, BaselinePolicy.OnnxBytes());
        var record = await RegisterAsync(registry, path, BaselinePolicy.ModelId, "1", BaselinePolicy.NormStats, FeatureNames.OrderHash);
        if (deploy) await registry.SetStatusAsync(record.ModelId, "deployed", "cop models baseline", "baseline policy");
        return record;
    }
}
