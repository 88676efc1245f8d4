namespace Cop.Trading.Macro;

public sealed record RejectedMacroValue(string Column, DateOnly Date, double Value, string Reason)
{
    public string Message => $"{Column} {Date:yyyy-MM-dd} = {Value}: {Reason}";
}

/// <summary>
/// Per-value validation against the catalogue: finite, inside [min, max], and no jump larger than
/// max-jump from the previous accepted value (relative). A rejected value is not a "previous
/// value" for the next one, so one bad print cannot make the good ones after it look like jumps.
/// </summary>
public static class MacroValidator
{
    public static (IReadOnlyList<MacroValue> Accepted, IReadOnlyList<RejectedMacroValue> Rejected) Validate(
        MacroVariableSpec spec, IEnumerable<MacroValue> values, MacroValue? previous)
    {
        var accepted = new List<MacroValue>();
        var rejected = new List<RejectedMacroValue>();
        var last = previous;
        foreach (var v in values.OrderBy(v => v.Date))
        {
            string? reason = null;
            if (!double.IsFinite(v.Value)) reason = "not a finite number";
            else if (v.Value < spec.Min || v.Value > spec.Max) reason = $"outside the valid range [{spec.Min}, {spec.Max}]";
            else if (last is { } p && p.Date < v.Date && Jump(spec, p.Value, v.Value) is { } jump)
                reason = jump;
            if (reason is null) { accepted.Add(v); last = v; }
            else rejected.Add(new RejectedMacroValue(spec.Column, v.Date, v.Value, reason));
        }
        return (accepted, rejected);
    }

    private static string? Jump(MacroVariableSpec spec, double previous, double value)
    {
        if (spec.AbsoluteJump)
            return Math.Abs(value - previous) > spec.MaxJump ? $"jump of {value - previous:G4} from {previous} exceeds {spec.MaxJump}" : null;
        if (previous == 0) return null;
        var change = value / previous - 1;
        return Math.Abs(change) > spec.MaxJump ? $"jump of {change:P1} from {previous} exceeds {spec.MaxJump:P0}" : null;
    }
}
