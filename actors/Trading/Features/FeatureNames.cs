using System.Security.Cryptography;
using System.Text;

namespace Cop.Trading.Features;

/// <summary>The 15 canonical features in observation order (shared/spec/features.md): the one
/// list every count, index and column list is taken from.</summary>
public static class FeatureNames
{
    public const string BuilderVersion = "cop-features/1";

    public static readonly IReadOnlyList<string> Ordered =
    [
        "log_ret_5m", "log_ret_1h", "log_ret_4h", "rsi_9", "atr_pct", "adx_14",
        "dxy_z", "dxy_change_1d", "vix_z", "embi_z", "brent_change_1d", "rate_spread", "usdmxn_change_1d",
        "position", "time_normalized",
    ];

    /// <summary>How many features an observation has.</summary>
    public static int Count => Ordered.Count;

    /// <summary>Where the model's own position goes in an observation (stored as 0).</summary>
    public static readonly int Position = IndexOf("position");

    /// <summary>The macro features, #6 to #12: a contiguous range of the observation.</summary>
    public static readonly int FirstMacro = IndexOf("dxy_z"), LastMacro = IndexOf("usdmxn_change_1d");

    /// <summary>SHA-256 (lower-case hex) of the names joined by ',': a model trained on another
    /// order is refused.</summary>
    public static readonly string OrderHash =
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', Ordered))));

    /// <summary>The position of <paramref name="name"/> in the observation; a name that is not a feature is a bug.</summary>
    public static int IndexOf(string name)
    {
        for (var i = 0; i < Ordered.Count; i++)
            if (Ordered[i] == name) return i;
        throw new ArgumentException($"'{name}' is not one of the {Ordered.Count} features");
    }
}
