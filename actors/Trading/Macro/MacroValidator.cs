namespace Cop.Trading.Macro;

/// <summary>
/// Per-value validation against the catalogue, by the series' kind (issue 13). Every kind:
/// finite, not dated after today, inside [min, max], not in a range an operator marked bad. Then
/// the move from the last ACCEPTED value (never a rejected one, so a sustained wrong level stays
/// wrong day after day instead of becoming its own reference):
/// <list type="bullet">
/// <item>market, survey, statistic: a move beyond the allowed jump is rejected whatever follows
/// (a broken feed repeats itself, so "the next value confirms it" proves nothing);</item>
/// <item>step (policy rates): a jump the next value confirms is a new level; an unconfirmed one,
/// or the newest value that cannot be confirmed yet, is rejected (the refresh window fetches it
/// again).</item>
/// </list>
/// The allowed jump is max-jump while the series is up to date and grows with the square root of
/// the time since the reference, beyond one period: sqrt(1 + late days / jump-growth-days). So a
/// true level that drifted while a feed was broken is accepted when it comes back, without
/// letting a wrong level in during the first weeks. An operator's accepted level resets the
/// reference: its first value is accepted as it is.
/// </summary>
public static class MacroValidator
{
    public static (IReadOnlyList<MacroValue> Accepted, IReadOnlyList<RejectedMacroValue> Rejected) Validate(
        MacroVariableSpec spec, IEnumerable<MacroValue> values, MacroValue? previous, DateOnly today,
        MacroOperatorDecisions? decisions = null)
    {
        decisions ??= MacroOperatorDecisions.None;
        var accepted = new List<MacroValue>();
        var rejected = new List<RejectedMacroValue>();
        var sorted = values.OrderBy(v => v.Date).ToList();
        bool Plausible(MacroValue x) => double.IsFinite(x.Value) && x.Value >= spec.Min && x.Value <= spec.Max
                                        && x.Date <= today && !decisions.IsRejected(x.Date);
        var last = previous;
        for (var i = 0; i < sorted.Count; i++)
        {
            var v = sorted[i];
            (MacroRejection Rule, string Reason)? problem = null;
            if (!double.IsFinite(v.Value)) problem = (MacroRejection.NotFinite, "not a finite number");
            else if (v.Date > today) problem = (MacroRejection.FutureDate, $"dated after today ({today:yyyy-MM-dd}): it cannot have been published yet");
            else if (v.Value < spec.Min || v.Value > spec.Max) problem = (MacroRejection.OutOfRange, $"outside the valid range [{spec.Min}, {spec.Max}]");
            else if (decisions.IsRejected(v.Date)) problem = (MacroRejection.OperatorRejected, "inside a range an operator marked bad (cop macro reject)");
            else if (last is { } p && p.Date < v.Date && !decisions.NewLevelBetween(p.Date, v.Date) && Jump(spec, p, v) is { } jump)
            {
                if (spec.Kind != MacroKind.Step)
                    problem = (MacroRejection.Jump, $"{jump}; a {spec.Kind.ToString().ToLowerInvariant()} series does not take a new level without an operator (cop macro accept)");
                else
                {
                    var next = sorted.Skip(i + 1).FirstOrDefault(Plausible);
                    var confirmed = next.Date != default && Jump(spec, v, next) is null;
                    if (!confirmed)
                        problem = (MacroRejection.Jump, next.Date == default ? $"{jump}, not yet confirmed by a later value" : $"{jump}, and the next value does not stay there");
                }
            }
            if (problem is null) { accepted.Add(v); last = v; }
            else rejected.Add(new RejectedMacroValue(spec.Column, v.Date, v.Value, problem.Value.Rule, problem.Value.Reason,
                problem.Value.Rule == MacroRejection.Jump ? last : null));
        }
        return (accepted, rejected);
    }

    /// <summary>The largest move allowed from a reference <paramref name="daysSince"/> days old.</summary>
    public static double AllowedJump(MacroVariableSpec spec, int daysSince) =>
        spec.MaxJump * Math.Sqrt(1 + Math.Max(0, daysSince - spec.PeriodDays) / spec.JumpGrowthDays);

    private static string? Jump(MacroVariableSpec spec, MacroValue reference, MacroValue v)
    {
        var days = v.Date.DayNumber - reference.Date.DayNumber;
        var allowed = AllowedJump(spec, days);
        var since = days > spec.PeriodDays ? $" (reference {days} days old)" : "";
        var from = $"from {reference.Value} on {reference.Date:yyyy-MM-dd}";
        if (spec.AbsoluteJump)
            return Math.Abs(v.Value - reference.Value) > allowed ? $"jump of {v.Value - reference.Value:G4} {from} exceeds {allowed:G4}{since}" : null;
        if (reference.Value == 0) return null;
        var change = v.Value / reference.Value - 1;
        return Math.Abs(change) > allowed ? $"jump of {change:P1} {from} exceeds {allowed:P0}{since}" : null;
    }
}
