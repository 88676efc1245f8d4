using Akka.Configuration;

namespace Cop.Host.Operations;

/// <summary>cop.notify.mode: listen (LISTEN/NOTIFY with catch-up, the event design) or poll (the
/// polling design the spec's rollback plan returns to: no LISTEN connection, committed rows read
/// every cop.notify.poll-interval).</summary>
public enum NotifyMode { Listen, Poll }

public static class NotifyModes
{
    public static NotifyMode From(Config c) => c.GetString("cop.notify.mode", "listen") switch
    {
        "listen" => NotifyMode.Listen,
        "poll" => NotifyMode.Poll,
        var other => throw new ConfigurationException($"cop.notify.mode = '{other}': expected listen or poll (COP_NOTIFY_MODE)"),
    };
}
