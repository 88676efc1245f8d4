using Cop.Actors.Macro;
using Cop.Actors.Telemetry;
using Cop.Streams.Http;
using Cop.Trading.Macro;
using Polly;
using Polly.CircuitBreaker;

namespace Cop.Streams.Macro.Sources;

/// <summary>Retry and breaker settings of every source (hocon: cop.macro.resilience).</summary>
public sealed record SourceResilience
{
    public int MaxRetries { get; init; } = 3;
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);   // 1 s, 2 s, 4 s
    public int BreakerFailures { get; init; } = 3;
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How far back the breaker counts failed calls (hocon: cop.macro.resilience.breaker-window).</summary>
    public TimeSpan BreakerWindow { get; init; } = TimeSpan.FromMinutes(30);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Wraps one source's HTTP calls (<see cref="HttpApiClient"/>: status handling, the rate limit,
/// exponential retries of transient failures), then a circuit breaker per source (after
/// BreakerFailures failed calls in a row, each with its retries, it opens for BreakDuration, then
/// lets one call through). A permanent error (unknown series, malformed answer) fails the call at
/// once and does not trip the breaker: it is that variable's problem, not the source's.
/// </summary>
public abstract class ResilientSource : HttpApiClient, IMacroSource
{
    private readonly ResiliencePipeline _breakerPipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();

    protected ResilientSource(string name, HttpClient http, SourceResilience resilience)
        : base(name, http, resilience.Timeout, resilience.MaxRetries + 1, resilience.FirstRetryDelay)
    {
        Resilience = resilience;
        CopMetrics.ExtractorHealth.WithLabels(name).Set(1);
        CopMetrics.ExtractionRetries.WithLabels(name);   // exported at 0 from the start: increase() sees the first retry
        CopMetrics.ActiveCircuitBreakers.WithLabels("macro");
        // Polly for the breaker only: the retry inside it is the house one (Retrying), as everywhere.
        _breakerPipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<MacroSourceException>(e => e.Transient),
                FailureRatio = 1.0,
                MinimumThroughput = resilience.BreakerFailures,
                SamplingDuration = resilience.BreakerWindow,
                BreakDuration = resilience.BreakDuration,
                StateProvider = _breaker,
                OnOpened = _ => { CopMetrics.ActiveCircuitBreakers.WithLabels("macro").Inc(); CopMetrics.ExtractorHealth.WithLabels(name).Set(0); return default; },
                OnClosed = _ => { CopMetrics.ActiveCircuitBreakers.WithLabels("macro").Dec(); CopMetrics.ExtractorHealth.WithLabels(name).Set(1); return default; },
            })
            .Build();
    }

    protected SourceResilience Resilience { get; }

    public BreakerState BreakerState => _breaker.CircuitState switch
    {
        CircuitState.Closed => BreakerState.Closed,
        CircuitState.HalfOpen => BreakerState.HalfOpen,
        _ => BreakerState.Open,
    };

    public async Task<IReadOnlyList<MacroValue>> FetchAsync(MacroVariableSpec variable, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var attempts = 0;
        try
        {
            var values = await _breakerPipeline.ExecuteAsync(async token =>
                await WithRetriesAsync(t =>
                {
                    if (Interlocked.Increment(ref attempts) > 1) CopMetrics.ExtractionRetries.WithLabels(Name).Inc();
                    return FetchOnceAsync(variable, from, to, t);
                }, token), ct);
            CopMetrics.LastSuccessfulExtraction.WithLabels(Name).Set(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
            return values;
        }
        catch (Exception e) when (e is MacroSourceException or BrokenCircuitException)
        {
            CopMetrics.ExtractionFailures.WithLabels(Name, e is BrokenCircuitException ? "circuit_open"
                : e is MacroSourceException { Transient: true } ? "transient" : "permanent").Inc();
            if (e is BrokenCircuitException) throw new MacroSourceException($"{Name}: circuit open after repeated failures; not called", transient: true);
            throw;
        }
        finally
        {
            CopMetrics.ExtractionDuration.WithLabels(Name, variable.Column).Observe(clock.Elapsed.TotalSeconds);
        }
    }

    protected abstract Task<IReadOnlyList<MacroValue>> FetchOnceAsync(MacroVariableSpec variable, DateOnly from, DateOnly to, CancellationToken ct);

    protected override Exception Failure(string message, bool transient) => new MacroSourceException(message, transient);

    protected override bool IsTransient(Exception e) => e is MacroSourceException { Transient: true };
}
