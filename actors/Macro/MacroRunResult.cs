namespace Cop.Actors.Macro;

/// <summary>How one macro variable's run ended (macro_variable_runs.result, stored as its
/// lower-case text by persistence).</summary>
public enum MacroRunResult
{
    /// <summary>Fetched and stored (some values may have been quarantined).</summary>
    Ok,
    /// <summary>The source failed; the variable answered and runs again next time.</summary>
    Failed,
    /// <summary>The variable did not answer in time (it crashed mid-run); never stored, only reported.</summary>
    Lost,
    /// <summary>Allowed by the column for a run that did not fetch; Cop records none today.</summary>
    Skipped,
}
