using Cop.Actors.Telemetry;
using Cop.Streams.Notifications;
using Cop.Trading;
using Cop.Trading.Validation;

namespace Cop.Streams.Ingestion;

/// <summary>What one ingestion did with its input; every bar read is counted exactly once.</summary>
public sealed class IngestReport
{
    public int Read { get; set; }
    public int Inserted { get; set; }
    public int Repaired { get; set; }
    /// <summary>Accepted but already stored by another writer meanwhile (ON CONFLICT).</summary>
    public int Raced { get; set; }
    /// <summary>Live polls only: bars still forming or already stored, not input yet/any more.</summary>
    public int Skipped { get; set; }
    public Dictionary<string, int> Rejected { get; } = new();
    public int RejectedTotal => Rejected.Values.Sum();

    public void Add(IngestReport other)
    {
        Read += other.Read; Inserted += other.Inserted; Repaired += other.Repaired; Raced += other.Raced; Skipped += other.Skipped;
        foreach (var (k, v) in other.Rejected) Rejected[k] = Rejected.GetValueOrDefault(k) + v;
    }
}

/// <summary>
/// Validates raw bars and stores them: accepted bars into usdcop_m5_ohlcv (whose trigger then
/// announces them), rejected ones into quarantine with their reason, in one transaction per
/// batch. Batches hold whole Bogota days, so the offset rule sees each day entire. The file
/// loader, the TwelveData poller and the demo all come through here.
/// </summary>
public sealed class BarIngester(IBarArchive store, IQuarantine quarantine, ValidationRules rules, string source)
{
    private Dictionary<string, SeriesTail>? _tails;

    public string Source { get; } = source;

    /// <summary>Ingests one batch of whole days (or the newest bars of a live poll).</summary>
    public async Task<IngestReport> IngestAsync(IReadOnlyList<RawBar> bars, DateTime nowUtc, CancellationToken ct = default)
    {
        var report = new IngestReport { Read = bars.Count };
        if (bars.Count == 0) return report;
        _tails ??= await store.LoadTailsAsync(ct);
        var from = bars.Min(b => b.Time.UtcDateTime) - TimeSpan.FromHours(6);
        var to = bars.Max(b => b.Time.UtcDateTime) + TimeSpan.FromHours(6);
        // Live bars are newer than everything stored (and a COT-labelled bar only moves later when
        // repaired): no stored key can collide, so the lookup is skipped. A concurrent writer is
        // still caught by the insert's ON CONFLICT.
        var newerThanStored = bars.All(b => _tails.TryGetValue(b.Symbol, out var tail) && b.Time.UtcDateTime > tail.Time);
        var stored = newerThanStored ? [] : await store.StoredBarsAsync(from, to, ct);
        var tails = new Dictionary<string, SeriesTail>(_tails);
        var result = BarValidator.Validate(bars, (s, t) => stored.TryGetValue((s, t), out var b) ? b : null, tails, nowUtc, rules);
        int inserted;
        try
        {
            inserted = await store.StoreAsync(result, Source, ct);
        }
        catch
        {
            _tails = null;   // part of the batch may be stored: read the tails again next time
            throw;
        }
        _tails = tails;   // only once the batch is committed

        report.Inserted = inserted;
        report.Raced = result.Accepted.Count - inserted;
        report.Repaired = result.Accepted.Count(a => a.Repair is not null);
        foreach (var r in result.Rejected)
        {
            var code = r.Reason.Code();
            report.Rejected[code] = report.Rejected.GetValueOrDefault(code) + 1;
            CopMetrics.BarsRejected.WithLabels(Source, code).Inc();
        }
        CopMetrics.BarsAccepted.WithLabels(Source).Inc(inserted);
        if (result.Accepted.Count > 0)
            CopMetrics.LastOhlcvBarTimestamp.IncTo(new DateTimeOffset(result.Accepted.Max(a => a.Bar.Time)).ToUnixTimeSeconds());
        return report;
    }

    /// <summary>A live poll answers with the newest bars, mostly known already, the last one still
    /// forming: those are not input (nor quarantined); the rest is ingested.</summary>
    public async Task<IngestReport> IngestNewAsync(IReadOnlyList<RawBar> polled, DateTime nowUtc, CancellationToken ct = default)
    {
        _tails ??= await store.LoadTailsAsync(ct);
        var fresh = polled.Where(b =>
            b.Time.UtcDateTime + TradingSession.BarLength <= nowUtc &&
            !(_tails.TryGetValue(b.Symbol, out var tail) && b.Time.UtcDateTime <= tail.Time)).ToList();
        var report = await IngestAsync(fresh, nowUtc, ct);
        report.Read = polled.Count;
        report.Skipped = polled.Count - fresh.Count;
        return report;
    }

    /// <summary>Loads a bar file: unreadable lines quarantined, the rest in day-aligned batches in
    /// time order (a file need not be sorted). <paramref name="onBatch"/> sees progress. The whole file is read before anything is
    /// stored, so a cut archive stores nothing (a re-run after fetching it again is a plain
    /// ingest); past <see cref="ValidationRules.MaxUnreadableRows"/> unreadable rows the file is
    /// refused as not a bar file and only a sample of its rows is kept in quarantine.</summary>
    public async Task<IngestReport> IngestFileAsync(string path, DateTime nowUtc, int daysPerBatch = 20, int? maxDays = null,
        Action<IngestReport>? onBatch = null, CancellationToken ct = default)
    {
        var total = new IngestReport();
        var readable = new List<RawBar>();
        var unreadable = new List<(string Raw, string Error)>();
        foreach (var (bar, raw, error) in BarFile.Read(path))
        {
            if (bar is not null) { readable.Add(bar); continue; }
            unreadable.Add((raw, error!));
            if (unreadable.Count <= rules.MaxUnreadableRows) continue;
            foreach (var (r, e) in unreadable.Take(rules.UnreadableSample))
                await quarantine.AddAsync(Source, r, e, QuarantineReason.Unreadable.Code(), ct);
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a bar file: {unreadable.Count:N0} unreadable rows " +
                $"(more than cop.ingest.validation.max-unreadable-rows = {rules.MaxUnreadableRows:N0}) after {readable.Count:N0} readable ones, " +
                $"the first: {unreadable[0].Error}; reading stopped there, nothing stored, " +
                $"{Math.Min(unreadable.Count, rules.UnreadableSample):N0} rows kept in quarantine (source '{Source}')");
        }
        foreach (var (raw, error) in unreadable)
        {
            total.Read++;
            total.Rejected["unreadable"] = total.Rejected.GetValueOrDefault("unreadable") + 1;
            await quarantine.AddAsync(Source, raw, error, QuarantineReason.Unreadable.Code(), ct);
        }
        onBatch?.Invoke(total);
        var days = readable.GroupBy(b => TradingSession.BogotaDate(b.Time.UtcDateTime)).OrderBy(d => d.Key)
            .Take(maxDays ?? int.MaxValue).ToList();
        foreach (var chunk in days.Chunk(daysPerBatch))
        {
            var batch = chunk.SelectMany(d => d).OrderBy(b => b.Time).ToList();
            var report = await IngestAsync(batch, nowUtc, ct);
            total.Add(report);
            onBatch?.Invoke(report);
        }
        return total;
    }
}
