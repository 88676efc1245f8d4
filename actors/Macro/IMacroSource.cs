using Cop.Trading.Macro;

namespace Cop.Actors.Macro;

/// <summary>A macro source (FRED, TwelveData, BanRep, BCRP, a file drop): the values of one
/// series between two dates. Implemented in Cop.Streams with retries and a circuit breaker.</summary>
public interface IMacroSource
{
    string Name { get; }
    BreakerState BreakerState { get; }
    Task<IReadOnlyList<MacroValue>> FetchAsync(MacroVariableSpec variable, DateOnly from, DateOnly to, CancellationToken ct = default);
}
