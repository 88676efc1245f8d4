using Cop.Trading;

namespace Cop.Streams.Notifications;

/// <summary>Tuning of a NOTIFY source (HOCON: cop.notify.*).</summary>
public sealed record NotificationSourceSettings
{
    /// <summary>Longest wait for a notification before the connection is probed (SELECT 1).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>The slow timer: catch up from committed rows even when nothing looked wrong.</summary>
    public TimeSpan CatchUpInterval { get; init; } = TimeSpan.FromSeconds(30);
    public int CatchUpBatchSize { get; init; } = 1000;
    /// <summary>Polling interval while the LISTEN circuit is open.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    public int BreakerMaxFailures { get; init; } = 3;
    public TimeSpan BreakerResetTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Watermark commits are batched: at most this many events or this long.</summary>
    public int CommitBatchSize { get; init; } = 512;
    public TimeSpan CommitMaxDelay { get; init; } = TimeSpan.FromMilliseconds(20);
    /// <summary>cop.notify.mode = poll: the rollback plan's polling design. No LISTEN connection;
    /// committed rows after the watermark are read every <see cref="PollInterval"/>.</summary>
    public bool PollOnly { get; init; }
    /// <summary>Only rows of these symbols are read (hocon: cop.instruments); a NOTIFY naming another is quarantined.</summary>
    public InstrumentCatalogue Instruments { get; init; } = InstrumentCatalogue.UsdCop;
}
