using System.Net;
using Cop.Actors.Macro;
using Cop.Actors.Telemetry;
using Cop.Trading.Macro;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Cop.Streams.Macro.Sources;

/// <summary>Retry and breaker settings of every source (hocon: cop.macro.resilience).</summary>
public sealed record SourceResilience
{
    public int MaxRetries { get; init; } = 3;
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);   // 1 s, 2 s, 4 s
    public int BreakerFailures { get; init; } = 3;
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Wraps one source's HTTP calls: exponential retries of transient failures, then a circuit
/// breaker per source (after BreakerFailures failed calls in a row it opens for BreakDuration,
/// then lets one call through). A permanent error (unknown series, malformed answer) fails the
/// call at once and does not trip the breaker: it is that variable's problem, not the source's.
/// </summary>
public abstract class ResilientSource : IMacroSource
{
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();

    protected ResilientSource(string name, HttpClient http, SourceResilience resilience)
    {
        Name = name;
        Http = http;
        Resilience = resilience;
        CopMetrics.ExtractorHealth.WithLabels(name).Set(1);
        var transient = new PredicateBuilder().Handle<MacroSourceException>(e => e.Transient);
        _pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 1.0,
                MinimumThroughput = resilience.BreakerFailures,
                SamplingDuration = TimeSpan.FromMinutes(30),
                BreakDuration = resilience.BreakDuration,
                StateProvider = _breaker,
                OnOpened = _ => { CopMetrics.ActiveCircuitBreakers.Inc(); CopMetrics.ExtractorHealth.WithLabels(name).Set(0); return default; },
                OnClosed = _ => { CopMetrics.ActiveCircuitBreakers.Dec(); CopMetrics.ExtractorHealth.WithLabels(name).Set(1); return default; },
            })
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = resilience.MaxRetries,
                Delay = resilience.FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
            })
            .Build();
    }

    public string Name { get; }
    protected HttpClient Http { get; }
    protected SourceResilience Resilience { get; }

    public BreakerState BreakerState => _breaker.CircuitState switch
    {
        CircuitState.Closed => BreakerState.Closed,
        CircuitState.HalfOpen => BreakerState.HalfOpen,
        _ => BreakerState.Open,
    };

    public async Task<IReadOnlyList<MacroValue>> FetchAsync(MacroVariableSpec variable, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token => await FetchOnceAsync(variable, from, to, token), ct);
        }
        catch (Exception e) when (e is MacroSourceException or BrokenCircuitException)
        {
            CopMetrics.ExtractionFailures.WithLabels(Name).Inc();
            if (e is BrokenCircuitException) throw new MacroSourceException($"{Name}: circuit open after repeated failures; not called", transient: true);
            throw;
        }
    }

    protected abstract Task<IReadOnlyList<MacroValue>> FetchOnceAsync(MacroVariableSpec variable, DateOnly from, DateOnly to, CancellationToken ct);

    /// <summary>GETs a URL and returns the body, classifying failures.</summary>
    protected async Task<string> GetAsync(string url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Resilience.Timeout);
        try
        {
            using var response = await Http.GetAsync(url, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
                throw new MacroSourceException($"{Name}: HTTP {(int)response.StatusCode}", transient: true);
            if (!response.IsSuccessStatusCode)
                throw new MacroSourceException($"{Name}: HTTP {(int)response.StatusCode}: {Shorten(body)}", transient: false);
            return body;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new MacroSourceException($"{Name}: no answer within {Resilience.Timeout}", transient: true);
        }
        catch (HttpRequestException e)
        {
            throw new MacroSourceException($"{Name}: unreachable ({e.Message})", transient: true);
        }
    }

    protected static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "...";
}
