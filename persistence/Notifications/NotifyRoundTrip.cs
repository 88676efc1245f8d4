namespace Cop.Persistence.Notifications;

/// <summary>What <see cref="NotifyPreflight"/> measured: the NOTIFYs sent, the latency (ms, send to
/// arrival) of each one that arrived, the payloads that could not be read, and the time sending took.</summary>
public sealed record NotifyRoundTrip(int Sent, IReadOnlyList<double> LatenciesMs, int Errors, double SendSeconds);
