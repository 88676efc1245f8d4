using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop dlq list [--status S]`, `cop dlq retry ID` and `cop dlq skip ID --reason R`.</summary>
public static class DeadLetterCommand
{
    public static async Task<int> ListAsync(CopSettings settings, string? status, bool json = false)
    {
        if (status is not (null or "PENDING" or "RESOLVED" or "EXHAUSTED" or "SKIPPED"))
            throw new ArgumentException($"--status must be PENDING, RESOLVED, EXHAUSTED or SKIPPED, not '{status}'");
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        var letters = await new DeadLetterStore(db).ListAsync(status);
        CliOutput.Write($"dead-letter queue ({letters.Count})",
            [new("id"), new("event"), new("event type"), new("bar"), new("status"), new("retries"), new("max retries"), new("next retry"), new("created"), new("error", Wrap: true)],
            letters.Select(l => new object?[] { l.Id, l.EventId, l.EventType, l.EventTimestamp, l.Status, l.RetryCount, l.MaxRetries, l.NextRetryAt, l.CreatedAt, l.Error }),
            json);
        return 0;
    }

    public static async Task<int> RetryAsync(CopSettings settings, long id)
    {
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        await new DeadLetterStore(db).RetryNowAsync(id, DateTime.UtcNow);
        AnsiConsole.MarkupLine($"dead letter {id} is due now: `cop run` retries it within {settings.Trading.DeadLetterInterval.TotalSeconds:F0} s");
        return 0;
    }

    /// <summary>Lets the model pass a bar it cannot decide (a poison bar holds it there): recorded
    /// with who, when and why; the running model finds the skip within cop.trading.poison-recheck.</summary>
    public static async Task<int> SkipAsync(CopSettings settings, long id, string? reason, string? by)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("cop dlq skip needs --reason \"why this bar may go undecided\"");
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        var who = string.IsNullOrWhiteSpace(by) ? Environment.UserName : by.Trim();
        var (model, symbol, bar) = await new DeadLetterStore(db).SkipAsync(id, who, reason, DateTime.UtcNow);
        AnsiConsole.MarkupLine(Markup.Escape($"dead letter {id}: {model} skips {symbol} {bar:O} (by {who}: {reason.Trim()}); " +
            $"the running model goes on within {settings.Trading.Models.PoisonRecheck.TotalSeconds:F0} s"));
        return 0;
    }
}
