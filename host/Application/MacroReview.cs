using Cop.Host.Application;
using Cop.Persistence.Macro;
using Cop.Actors.Macro;
using Cop.Persistence.Stores;
using Cop.Streams.Features;
using Cop.Trading;
using Cop.Trading.Features;
using Cop.Trading.Macro;

using Cop.Streams.Macro;

namespace Cop.Host.Application;

/// <summary>What an operator's decision did.</summary>
public sealed record MacroDecisionReport(long DecisionId, string Variable, int Accepted, int Rejected, int FeatureRowsRebuilt);

/// <summary>
/// An operator's decision on a macro series, recorded in macro_decisions (who, when, why) and
/// read by every later validation of the series, live or seed:
/// <list type="bullet">
/// <item>accept: a new level from a date (a real index change). The series' values from that date
/// (those stored and those waiting in macro_rejections) go through the same intake again; the
/// first is the new reference.</item>
/// <item>reject: a date range is bad after the fact. Its accepted values are taken out of the
/// table and quarantined, forward fill and the Parquet masters are regenerated, and the feature
/// rows built on them are rebuilt by <see cref="FeatureRebuild"/> (the same FeatureBuilder as a
/// BarSeries, UPSERTed as the feature writer).</item>
/// </list>
/// </summary>
public sealed class MacroReview(MacroStore store, MacroSettings settings, FeatureStore features, Func<DateOnly>? today = null)
{
    private readonly Func<DateOnly> _today = today ?? (() => DateOnly.FromDateTime(DateTime.UtcNow));

    private MacroVariableSpec Spec(string column) => settings.Catalogue.FirstOrDefault(v => v.Column == column)
        ?? throw new ArgumentException($"'{column}' is not a macro variable of the catalogue (see cop macro status)");

    public async Task<MacroDecisionReport> AcceptAsync(string column, DateOnly from, string reason, string decidedBy, CancellationToken ct = default)
    {
        var spec = Spec(column);
        var today = _today();
        if (from > today) throw new ArgumentException($"--from {from:yyyy-MM-dd} is after today");
        var id = await store.RecordDecisionAsync(column, "accept", from, null, reason, decidedBy, 0, 0, 0, ct);
        var waiting = await store.RejectedValuesAsync(spec, from, ct);
        var stored = await store.PublishedValuesAsync(spec, from, ct);
        // A date both stored and rejected later (a revision that failed): the newer, rejected value is judged.
        var values = waiting.Concat(stored.Where(s => waiting.All(w => w.Date != s.Date))).OrderBy(v => v.Date).ToList();
        var result = await MacroIntake.StoreAsync(store, spec, values, today, ct: ct);
        var accepted = values.Count - result.Rejected;
        var rebuilt = await CompleteAsync(spec, from, null, ct);
        await store.CompleteDecisionAsync(id, accepted, result.Rejected, rebuilt, ct);
        return new MacroDecisionReport(id, column, accepted, result.Rejected, rebuilt);
    }

    public async Task<MacroDecisionReport> RejectAsync(string column, DateOnly from, DateOnly to, string reason, string decidedBy, CancellationToken ct = default)
    {
        var spec = Spec(column);
        if (to < from) throw new ArgumentException($"--to {to:yyyy-MM-dd} is before --from {from:yyyy-MM-dd}");
        var id = await store.RecordDecisionAsync(column, "reject", from, to, reason, decidedBy, 0, 0, 0, ct);
        var (removed, lastCleared) = await store.WithdrawAsync(spec, from, to, ct);
        await store.QuarantineAsync([.. removed.Select(v => new RejectedMacroValue(column, v.Date, v.Value, MacroRejection.OperatorRejected,
            $"marked bad by {decidedBy} (decision {id}): {reason}"))], ct);
        var rebuilt = await CompleteAsync(spec, from, lastCleared, ct);
        await store.CompleteDecisionAsync(id, 0, removed.Count, rebuilt, ct);
        return new MacroDecisionReport(id, column, 0, removed.Count, rebuilt);
    }

    /// <summary>Forward fill of the series over what the decision cleared (<paramref name="through"/>;
    /// none for an accept, whose new values are published ones), then the usual completion (the
    /// lookback-window fill and the Parquet masters), then the feature rows that can have read the
    /// series since <paramref name="from"/>.</summary>
    private async Task<int> CompleteAsync(MacroVariableSpec spec, DateOnly from, DateOnly? through, CancellationToken ct)
    {
        if (through is { } last) await store.ForwardFillAsync(spec.Table(), [spec.Column], from, last, settings.ForwardFillLookbackDays, ct);
        await MacroRunCompletion.CompleteAsync(store, settings, _today(), ct);
        if (!MacroColumns.All.Contains(spec.Column)) return 0;   // not a feature input
        return await FeatureRebuild.RebuildAsync(features, await features.FeatureSeriesAsync(ct),
            TradingSession.BogotaMidnightUtc(spec.AvailableOn(from)), ct: ct);
    }
}
