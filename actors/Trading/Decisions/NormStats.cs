using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cop.Trading.Features;

namespace Cop.Trading.Decisions;

/// <summary>
/// A model's normalisation (features.md, "Normalisation belongs to the model"): per feature in
/// observation order, clip((raw - mean)/std, -5, 5), std &lt; 1e-12 treated as 1, NULL as 0. It
/// travels with the model as JSON {"name": {"mean": m, "std": s}, ...}; its hash is the SHA-256 of
/// the canonical form (names in observation order, numbers in round-trip format).
/// </summary>
public sealed class NormStats
{
    private readonly FeatureStat[] _stats;

    public NormStats(IReadOnlyList<FeatureStat> stats)
    {
        if (stats.Count != FeatureNames.Ordered.Count)
            throw new ArgumentException($"norm_stats has {stats.Count} features, the observation has {FeatureNames.Ordered.Count}");
        _stats = [.. stats];
    }

    /// <summary>Identity normalisation (mean 0, std 1) for every feature.</summary>
    public static NormStats Identity => new([.. FeatureNames.Ordered.Select(_ => new FeatureStat(0, 1))]);

    public static NormStats FromJson(string json)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e)
        {
            throw new ArgumentException($"norm_stats is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): it must be {{feature: {{mean, std}}}} for all {FeatureNames.Count} features");
        }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"norm_stats must be a JSON object {{feature: {{mean, std}}}}, not {doc.RootElement.ValueKind}");
        var stats = new List<FeatureStat>();
        foreach (var name in FeatureNames.Ordered)
        {
            if (!doc.RootElement.TryGetProperty(name, out var s) || s.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"norm_stats has no entry for feature '{name}'");
            double Get(string field) => s.TryGetProperty(field, out var v) && v.TryGetDouble(out var d) && double.IsFinite(d) ? d
                : throw new ArgumentException($"norm_stats['{name}'].{field} is missing or not a finite number");
            stats.Add(new FeatureStat(Get("mean"), Get("std")));
        }
        return new NormStats(stats);
    }

    public string ToJson() => "{" + string.Join(",", FeatureNames.Ordered.Select((n, i) =>
        $"\"{n}\":{{\"mean\":{_stats[i].Mean.ToString("R", CultureInfo.InvariantCulture)},\"std\":{_stats[i].Std.ToString("R", CultureInfo.InvariantCulture)}}}")) + "}";

    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson())));

    /// <summary>Writes the normalised observation into <paramref name="obs"/> (one value per feature).</summary>
    public void Normalise(ReadOnlySpan<double?> raw, Span<float> obs)
    {
        for (var i = 0; i < _stats.Length; i++) obs[i] = Normalise(i, raw[i]);
    }

    /// <summary>One feature's normalised value (feature <paramref name="index"/> in observation order).</summary>
    public float Normalise(int index, double? raw)
    {
        if (raw is not { } x) return 0;
        var std = _stats[index].Std < 1e-12 ? 1 : _stats[index].Std;
        return (float)Math.Clamp((x - _stats[index].Mean) / std, -5, 5);
    }
}
