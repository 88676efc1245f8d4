using System.Security.Cryptography;
using System.Text;

namespace Cop.Trading.Features;

/// <summary>The 15 canonical features in observation order (shared/spec/features.md).</summary>
public static class FeatureNames
{
    public const string BuilderVersion = "cop-features/1";

    public static readonly IReadOnlyList<string> Ordered =
    [
        "log_ret_5m", "log_ret_1h", "log_ret_4h", "rsi_9", "atr_pct", "adx_14",
        "dxy_z", "dxy_change_1d", "vix_z", "embi_z", "brent_change_1d", "rate_spread", "usdmxn_change_1d",
        "position", "time_normalized",
    ];

    /// <summary>SHA-256 (lower-case hex) of the names joined by ',': a model trained on another
    /// order is refused.</summary>
    public static readonly string OrderHash =
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', Ordered))));
}
