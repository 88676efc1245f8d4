namespace Cop.Actors.Macro;

/// <summary>A macro source's circuit breaker (macro_variable_runs.breaker_state, stored as
/// "closed", "open", "half-open" by persistence).</summary>
public enum BreakerState { Closed, Open, HalfOpen }
