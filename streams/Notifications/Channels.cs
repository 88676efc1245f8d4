namespace Cop.Streams.Notifications;

/// <summary>The NOTIFY channels Cop listens to. LISTEN statements are built only from this
/// allow-list, never from input (the spec's sensor interpolated a string into LISTEN).</summary>
public enum NotifyChannel { NewOhlcvBar, NewFeatures, SystemHeartbeat, Preflight }

public static class Channels
{
    public static string Name(NotifyChannel channel) => channel switch
    {
        NotifyChannel.NewOhlcvBar => "new_ohlcv_bar",
        NotifyChannel.NewFeatures => "new_features",
        NotifyChannel.SystemHeartbeat => "system_heartbeat",
        NotifyChannel.Preflight => "cop_preflight",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "not an allowed NOTIFY channel"),
    };

    public static bool TryParse(string name, out NotifyChannel channel)
    {
        foreach (var c in Enum.GetValues<NotifyChannel>())
            if (Name(c) == name) { channel = c; return true; }
        channel = default;
        return false;
    }
}
