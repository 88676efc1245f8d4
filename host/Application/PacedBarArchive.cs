using Cop.Streams.Ingestion;
using Cop.Trading;
using Cop.Trading.Validation;

namespace Cop.Host.Application;

/// <summary>A replay at a multiple of real time: each validated batch is stored as a live feed
/// would deliver it, the rejects first, then one accepted bar at a time after the gap to the
/// previous bar divided by <paramref name="speed"/> (nights and weekends capped at <paramref name="maxWait"/>).</summary>
public sealed class PacedBarArchive(IBarArchive inner, double speed, TimeSpan maxWait, Action? onBar = null) : IBarArchive
{
    private DateTime? _previous;

    public Task<Dictionary<string, SeriesTail>> LoadTailsAsync(CancellationToken ct = default) => inner.LoadTailsAsync(ct);
    public Task<Dictionary<(string, DateTime), Bar>> StoredBarsAsync(DateTime from, DateTime to, CancellationToken ct = default) =>
        inner.StoredBarsAsync(from, to, ct);

    public async Task<int> StoreAsync(ValidationResult batch, string quarantineSource, CancellationToken ct = default)
    {
        var stored = await inner.StoreAsync(batch with { Accepted = [] }, quarantineSource, ct);
        foreach (var bar in batch.Accepted)
        {
            if (_previous is { } p && TimeSpan.FromTicks((long)((bar.Bar.Time - p).Ticks / speed)) is { Ticks: > 0 } wait)
                await Task.Delay(wait < maxWait ? wait : maxWait, ct);
            _previous = bar.Bar.Time;
            stored += await inner.StoreAsync(new ValidationResult([bar], []), quarantineSource, ct);
            onBar?.Invoke();
        }
        return stored;
    }
}
