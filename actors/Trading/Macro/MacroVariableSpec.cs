namespace Cop.Trading.Macro;

/// <summary>
/// One catalogue entry (hocon: cop.macro.variables): where a macro series comes from and what
/// values of it are believable. The catalogue is the single source of truth for macro series.
/// MaxJump is relative (0.1 = 10%) unless AbsoluteJump, for series that cross zero (balances,
/// sentiment indices). Kind decides the jump rule (see <see cref="MacroValidator"/>); JumpGrowthDays
/// is how fast the allowed move grows while no value is accepted.
/// </summary>
public sealed record MacroVariableSpec(
    string Column,
    string Source,
    string SeriesId,
    MacroFrequency Frequency,
    int DelayDays,
    int MaxGapDays,
    double Min,
    double Max,
    double MaxJump,
    bool AbsoluteJump = false,
    MacroKind Kind = MacroKind.Market,
    double JumpGrowthDays = 120)
{
    /// <summary>Days between two observations when nothing is missing.</summary>
    public int PeriodDays => Frequency switch { MacroFrequency.Daily => 1, MacroFrequency.Monthly => 31, _ => 92 };

    /// <summary>When a value dated <paramref name="date"/> may be used: date + delay (never date - delay).</summary>
    public DateOnly AvailableOn(DateOnly date) => date.AddDays(DelayDays);

    /// <summary>Checks the entry; the message names the entry and the field.</summary>
    public void Check()
    {
        void Fail(string field, string problem) => throw new ArgumentException($"macro variable '{Column}': {field} {problem}");
        if (string.IsNullOrWhiteSpace(Column) || Column.Any(ch => !(char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_')))
            Fail("column", "must be lower-case letters, digits and '_'");
        if (string.IsNullOrWhiteSpace(Source)) Fail("source", "is missing");
        if (string.IsNullOrWhiteSpace(SeriesId)) Fail("series", "is missing");
        if (DelayDays < 0) Fail("delay-days", $"must not be negative (got {DelayDays})");
        if (MaxGapDays <= 0) Fail("max-gap-days", $"must be positive (got {MaxGapDays})");
        if (!(Min < Max) || !double.IsFinite(Min) || !double.IsFinite(Max)) Fail("min/max", $"must be a finite range with min < max (got [{Min}, {Max}])");
        if (!(MaxJump > 0)) Fail("max-jump", $"must be positive (got {MaxJump})");
        if (!Enum.IsDefined(Kind)) Fail("kind", $"'{Kind}' is not market, step, survey or statistic");
        if (!(JumpGrowthDays > 0) || !double.IsFinite(JumpGrowthDays)) Fail("jump-growth-days", $"must be positive (got {JumpGrowthDays})");
    }
}
