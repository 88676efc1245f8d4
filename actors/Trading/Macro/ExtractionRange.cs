namespace Cop.Trading.Macro;

/// <summary>
/// The spec's determine_extraction_range_per_variable: each variable decides for itself. No data:
/// seed from the configured start. Last value older than the variable's max gap: fetch from the
/// last stored date. Otherwise refresh the last N observations (sources revise recent values).
/// </summary>
public static class ExtractionRange
{
    /// <param name="recentDates">The variable's newest stored dates (up to <paramref name="refreshCount"/>), any order.</param>
    public static ExtractionPlan Decide(MacroVariableSpec spec, IReadOnlyCollection<DateOnly> recentDates, DateOnly today,
        DateOnly seedStart, int refreshCount = 15)
    {
        if (recentDates.Count == 0)
            return new(spec.Column, ExtractionKind.Seed, seedStart, today, $"no data: seed from {seedStart:yyyy-MM-dd}");
        var last = recentDates.Max();
        var age = today.DayNumber - last.DayNumber;
        if (age > spec.MaxGapDays)
            return new(spec.Column, ExtractionKind.Gap, last, today, $"last value {last:yyyy-MM-dd} is {age} days old (max gap {spec.MaxGapDays})");
        var from = recentDates.OrderDescending().Take(refreshCount).Min();
        return new(spec.Column, ExtractionKind.Refresh, from, today, $"refresh the last {Math.Min(refreshCount, recentDates.Count)} observations from {from:yyyy-MM-dd}");
    }
}
