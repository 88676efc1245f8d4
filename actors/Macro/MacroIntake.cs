using Cop.Actors.Telemetry;
using Cop.Trading.Macro;

namespace Cop.Actors.Macro;

/// <summary>
/// The one path from published values to the macro tables, shared by the live extractors
/// (MacroVariable) and `cop macro seed`: the operators' decisions and the last accepted value
/// before the batch, <see cref="MacroValidator"/>, UPSERT of what passed, a quarantine row for
/// what did not, and the metrics (rejections per series, each series' age).
/// </summary>
public static class MacroIntake
{
    /// <param name="unreadable">Cells the reader could not turn into a number (file, line, text):
    /// quarantined with the rest.</param>
    public static async Task<MacroIntakeResult> StoreAsync(IMacroVariableStore store, MacroVariableSpec spec, IReadOnlyList<MacroValue> values,
        DateOnly today, IReadOnlyList<RejectedMacroValue>? unreadable = null, CancellationToken ct = default)
    {
        var decisions = await store.DecisionsAsync(spec, ct);
        var previous = values.Count == 0 ? null : await store.PreviousValueAsync(spec, values.Min(v => v.Date), ct);
        var (accepted, rejected) = MacroValidator.Validate(spec, values, previous, today, decisions);
        var upserted = await store.UpsertAsync(spec, accepted, ct);
        IReadOnlyList<RejectedMacroValue> all = unreadable is { Count: > 0 } ? [.. rejected, .. unreadable] : rejected;
        var quarantined = await store.QuarantineAsync(all, ct);
        CopMetrics.MacroRejected.WithLabels(spec.Column).Inc(quarantined);
        if (quarantined > 0) CopMetrics.QuarantinedTotal.WithLabels("macro").Inc(quarantined);
        if ((await store.RecentDatesAsync(spec, 1, ct)) is [var last, ..])
            CopMetrics.MacroSeriesAge.WithLabels(spec.Column).Set(today.DayNumber - last.DayNumber);
        return new MacroIntakeResult(upserted, all.Count, all);
    }
}
