namespace Cop.Streams.Notifications;

public static class Cancellation
{
    /// <summary>Cancels a consumer's shutdown token. Npgsql's cancellation callback for a read on
    /// a connection the server already dropped can throw (seen after a PostgreSQL restart); every
    /// callback has still run by then, so stopping goes on.</summary>
    public static void CancelQuietly(this CancellationTokenSource cts)
    {
        try { cts.Cancel(); }
        catch (AggregateException) { }
    }
}
