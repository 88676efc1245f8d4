using Akka.Configuration;

namespace Cop.Host.Operations;

/// <summary>cop.operations (hocon/cop.conf): the state sampler and /health. Parsed here, from
/// the loaded HOCON, rather than in CopSettings.</summary>
public sealed record OperationsSettings(TimeSpan SampleInterval, TimeSpan RedisTimeout, TimeSpan HeartbeatStale)
{
    public static OperationsSettings From(Config c) => new(
        Positive(c, "cop.operations.sample-interval"),
        Positive(c, "cop.operations.redis-timeout"),
        Positive(c, "cop.operations.heartbeat-stale"));

    private static TimeSpan Positive(Config c, string key)
    {
        TimeSpan v;
        try { v = c.GetTimeSpan(key, null, allowInfinite: false); }
        catch (Exception) { throw new ConfigurationException($"{key} = '{c.GetString(key, "")}' is not a duration (e.g. 15s)"); }
        return v > TimeSpan.Zero ? v : throw new ConfigurationException($"{key} must be positive (e.g. 15s)");
    }
}
