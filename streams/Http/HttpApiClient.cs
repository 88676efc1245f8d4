using System.Net;

namespace Cop.Streams.Http;

/// <summary>
/// The one base of Cop's HTTP API clients: TwelveData's bars (TwelveDataClient) and every macro
/// source (ResilientSource), TwelveData's daily closes among them. A GET has a timeout and its
/// failure is classified: unreachable, no answer in time, HTTP 429 (the rate limit) or 5xx are
/// transient; any other non-success status is permanent and names the body. A call (a GET and the
/// parse of its answer, where an API reports its own errors, TwelveData's 429 in a 200 body among
/// them) is retried with the house back-off (<see cref="Retrying"/>) while its failure is
/// transient. A subclass names its API and the exception its callers expect.
/// </summary>
public abstract class HttpApiClient
{
    private readonly TimeSpan _timeout;
    private readonly int _maxAttempts;
    private readonly TimeSpan _firstRetryDelay;
    private readonly TimeSpan _maxRetryDelay;

    /// <param name="maxAttempts">Tries per call, the first included.</param>
    /// <param name="maxRetryDelay">Cap of the doubling back-off (null: none; the attempts bound it).</param>
    protected HttpApiClient(string name, HttpClient http, TimeSpan timeout, int maxAttempts, TimeSpan firstRetryDelay, TimeSpan? maxRetryDelay = null)
    {
        (Name, Http, _timeout, _maxAttempts, _firstRetryDelay) = (name, http, timeout, maxAttempts, firstRetryDelay);
        _maxRetryDelay = maxRetryDelay ?? TimeSpan.MaxValue;
    }

    public string Name { get; }
    protected HttpClient Http { get; }

    /// <summary>The failure the callers of this API expect (transient: worth another try).</summary>
    protected abstract Exception Failure(string message, bool transient);

    /// <summary>Whether a failure of one try (thrown by <see cref="Failure"/> or by a parse) is worth another.</summary>
    protected abstract bool IsTransient(Exception e);

    /// <summary>The call, tried again after a transient failure up to the attempts allowed.</summary>
    protected Task<T> WithRetriesAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct) =>
        Retrying.AttemptsAsync(call, _maxAttempts, _firstRetryDelay, _maxRetryDelay, IsTransient, ct);

    /// <summary>GETs a URL once and returns the body, classifying failures.</summary>
    protected async Task<string> GetAsync(string url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await Http.GetAsync(url, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
                throw Failure($"{Name}: HTTP {(int)response.StatusCode}", transient: true);
            if (!response.IsSuccessStatusCode)
                throw Failure($"{Name}: HTTP {(int)response.StatusCode}: {Shorten(body)}", transient: false);
            return body;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Failure($"{Name}: no answer within {_timeout}", transient: true);
        }
        catch (HttpRequestException e)
        {
            throw Failure($"{Name}: unreachable ({e.Message})", transient: true);
        }
    }

    protected static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "...";
}
