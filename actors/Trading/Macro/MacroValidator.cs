namespace Cop.Trading.Macro;

public sealed record RejectedMacroValue(string Column, DateOnly Date, double Value, string Code, string Reason)
{
    public string Message => $"{Column} {Date:yyyy-MM-dd} = {Value}: {Reason}";
}

/// <summary>
/// Per-value validation against the catalogue: finite, inside [min, max], and no jump larger than
/// max-jump from the previous accepted value. A jump is a bad print only if the series does not
/// stay there: when the next value confirms the new level (within max-jump of it) the jump is a
/// level shift (a policy-rate move) and is accepted; the newest value cannot be confirmed yet and
/// waits for the next run (the refresh window fetches it again). A rejected value is never the
/// reference for the next one, so one bad print cannot make the good ones after it look like jumps.
/// </summary>
public static class MacroValidator
{
    public static (IReadOnlyList<MacroValue> Accepted, IReadOnlyList<RejectedMacroValue> Rejected) Validate(
        MacroVariableSpec spec, IEnumerable<MacroValue> values, MacroValue? previous)
    {
        var accepted = new List<MacroValue>();
        var rejected = new List<RejectedMacroValue>();
        var sorted = values.OrderBy(v => v.Date).ToList();
        bool Plausible(MacroValue x) => double.IsFinite(x.Value) && x.Value >= spec.Min && x.Value <= spec.Max;
        var last = previous;
        for (var i = 0; i < sorted.Count; i++)
        {
            var v = sorted[i];
            (string Code, string Reason)? problem = null;
            if (!double.IsFinite(v.Value)) problem = ("macro_not_finite", "not a finite number");
            else if (v.Value < spec.Min || v.Value > spec.Max) problem = ("macro_out_of_range", $"outside the valid range [{spec.Min}, {spec.Max}]");
            else if (last is { } p && p.Date < v.Date && Jump(spec, p.Value, v.Value) is { } jump)
            {
                var next = sorted.Skip(i + 1).FirstOrDefault(Plausible);
                var confirmed = next.Date != default && Jump(spec, v.Value, next.Value) is null;
                if (!confirmed)
                    problem = ("macro_jump", next.Date == default ? $"{jump}, not yet confirmed by a later value" : $"{jump}, and the next value does not stay there");
            }
            if (problem is null) { accepted.Add(v); last = v; }
            else rejected.Add(new RejectedMacroValue(spec.Column, v.Date, v.Value, problem.Value.Code, problem.Value.Reason));
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
