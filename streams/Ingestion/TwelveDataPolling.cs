using Akka;
using Akka.Streams.Dsl;
using Cop.Trading;
using Microsoft.Extensions.Logging;

namespace Cop.Streams.Ingestion;

/// <summary>
/// Polls TwelveData while the market is open (and one interval after the close, for the 12:55
/// bar) and ingests what is new. A failed poll is logged and the next tick tries again: the
/// poll asks for enough bars to cover the gap.
/// </summary>
public static class TwelveDataPolling
{
    public static Source<IngestReport, NotUsed> Create(TwelveDataClient client, BarIngester ingester, TwelveDataSettings settings,
        ILogger log, Func<DateTime>? clock = null)
    {
        var now = clock ?? (() => DateTime.UtcNow);
        return Source.Tick(TimeSpan.Zero, settings.PollInterval, NotUsed.Instance)
            .MapMaterializedValue(_ => NotUsed.Instance)
            .Where(_ => TradingSession.IsOpen(now()) || TradingSession.IsOpen(now() - settings.PollInterval - TradingSession.BarLength))
            .SelectAsync(1, async _ =>
            {
                try
                {
                    var report = await ingester.IngestNewAsync(await client.TimeSeriesAsync(), now());
                    if (report.Inserted > 0 || report.RejectedTotal > 0)
                        log.LogInformation("TwelveData poll: {Inserted} new bars, {Rejected} quarantined", report.Inserted, report.RejectedTotal);
                    return report;
                }
                catch (Exception e)
                {
                    log.LogWarning("TwelveData poll failed: {Error}", e.Message);
                    return new IngestReport();
                }
            });
    }
}
