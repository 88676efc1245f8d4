using Cop.Trading.Macro;

namespace Cop.Actors.Macro;

/// <summary>What a MacroVariable needs from storage (Cop.Persistence.MacroStore implements it).</summary>
public interface IMacroVariableStore
{
    Task<IReadOnlyList<DateOnly>> RecentDatesAsync(MacroVariableSpec v, int count, CancellationToken ct = default);
    Task<MacroValue?> PreviousValueAsync(MacroVariableSpec v, DateOnly before, CancellationToken ct = default);
    Task<int> UpsertAsync(MacroVariableSpec v, IReadOnlyList<MacroValue> values, CancellationToken ct = default);
    /// <summary>Records rejections; returns how many were new or changed (a repeat is not counted).</summary>
    Task<int> QuarantineAsync(IReadOnlyList<RejectedMacroValue> rejected, CancellationToken ct = default);
    Task<MacroOperatorDecisions> DecisionsAsync(MacroVariableSpec v, CancellationToken ct = default);
    Task RecordRunAsync(string variable, string source, ExtractionPlan? plan, MacroRunResult result, string? detail,
        int upserted, int rejected, BreakerState breakerState, CancellationToken ct = default);
}
