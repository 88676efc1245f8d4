using Akka.Configuration;

namespace Cop.Host.Configuration;

/// <summary>The journal projections (hocon: cop.projections): how often one looks for new events,
/// how many it reads at a time, and its supervisor's back-off.</summary>
public sealed record ProjectionSettings(TimeSpan Interval, int BatchSize, TimeSpan MinBackoff, TimeSpan MaxBackoff)
{
    public static ProjectionSettings From(Config c)
    {
        TimeSpan Duration(string key)
        {
            TimeSpan v;
            try { v = c.GetTimeSpan(key, null, allowInfinite: false); }
            catch (Exception e) { throw new ConfigurationException($"{key} is not a duration: {e.Message}"); }
            return v > TimeSpan.Zero ? v : throw new ConfigurationException($"{key} must be a positive duration (got {v})");
        }
        int batch;
        try { batch = c.GetInt("cop.projections.batch-size", 500); }
        catch (Exception e) { throw new ConfigurationException($"cop.projections.batch-size is not a whole number: {e.Message}"); }
        if (batch <= 0) throw new ConfigurationException($"cop.projections.batch-size must be positive (got {batch})");
        return new ProjectionSettings(Duration("cop.projections.interval"), batch,
            Duration("cop.projections.restart.min-backoff"), Duration("cop.projections.restart.max-backoff"));
    }
}
