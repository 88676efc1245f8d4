using Cop.Streams.Ingestion;
using Cop.Trading;
using Cop.Trading.Validation;

namespace Cop.Host.Application;

/// <summary>
/// `cop load`: real bars from a bar file, re-timed onto consecutive session slots (5-minute bars of
/// trading days, 08:00-12:55 Bogota) that end at or before <c>end</c>, then stored through the real
/// path (validation, INSERT, the trigger's NOTIFY) one bar at a time at a bounded rate; it stops
/// after the last bar. The prices, their order and their moves are the file's; only the times change.
/// </summary>
public static class BarLoad
{
    /// <summary>The last <paramref name="count"/> session slots whose bar has ended by <paramref name="end"/>, oldest first.</summary>
    public static IReadOnlyList<DateTime> Slots(int count, DateTime end)
    {
        var slots = new List<DateTime>(count);
        var day = TradingSession.BogotaDate(end);
        while (slots.Count < count)
        {
            if (MarketCalendar.IsTradingDay(day))
            {
                var midnight = TradingSession.BogotaMidnightUtc(day);
                for (var t = TradingSession.LastBarStart; t >= TradingSession.Open && slots.Count < count; t -= TradingSession.BarLength)
                    if (midnight + t + TradingSession.BarLength <= end) slots.Add(midnight + t);
            }
            day = day.AddDays(-1);
        }
        slots.Reverse();
        return slots;
    }

    /// <summary>The file's first <paramref name="count"/> readable session bars, re-timed onto <see cref="Slots"/>.</summary>
    public static IReadOnlyList<RawBar> Retime(string file, int count, DateTime end)
    {
        var slots = Slots(count, end);
        var source = BarFile.Read(file).Where(r => r.Bar is { } b && TradingSession.IsSessionBar(b.Time.UtcDateTime)
                                                   && MarketCalendar.IsTradingDay(TradingSession.BogotaDate(b.Time.UtcDateTime)))
            .Select(r => r.Bar!).Take(count).ToList();
        if (source.Count < count) throw new ArgumentException($"{file} has {source.Count} session bars, fewer than --bars {count}");
        return [.. source.Zip(slots, (b, t) => b with { Time = new DateTimeOffset(t, TimeSpan.Zero), Raw = $"{b.Raw} (re-timed to {t:O})" })];
    }

    /// <summary>Stores <paramref name="bars"/> one at a time, at most <paramref name="rate"/> per second; returns the totals.</summary>
    public static async Task<IngestReport> RunAsync(BarIngester ingester, IReadOnlyList<RawBar> bars, double rate, Action<int, IngestReport>? progress = null, CancellationToken ct = default)
    {
        if (!(rate > 0)) throw new ArgumentException($"--rate must be a positive number of bars per second, not {rate}");
        var total = new IngestReport();
        using var pace = new PeriodicTimer(TimeSpan.FromSeconds(1 / rate));
        for (var k = 0; k < bars.Count; k++)
        {
            if (k > 0) await pace.WaitForNextTickAsync(ct);
            total.Add(await ingester.IngestAsync([bars[k]], DateTime.UtcNow, ct));
            progress?.Invoke(k + 1, total);
        }
        return total;
    }
}
