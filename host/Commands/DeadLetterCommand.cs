using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Stores;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop dlq list [--status S]` and `cop dlq retry ID`.</summary>
public static class DeadLetterCommand
{
    public static async Task<int> ListAsync(CopSettings settings, string? status)
    {
        if (status is not (null or "PENDING" or "RESOLVED" or "EXHAUSTED"))
            throw new ArgumentException($"--status must be PENDING, RESOLVED or EXHAUSTED, not '{status}'");
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        var letters = await new DeadLetterStore(db).ListAsync(status);
        var table = new Table().Title($"dead-letter queue ({letters.Count})").AddColumns("id", "event", "status", "retries", "next retry", "error");
        foreach (var l in letters)
            table.AddRow(l.Id.ToString(), Markup.Escape(l.EventId), l.Status, $"{l.RetryCount}/{l.MaxRetries}",
                l.NextRetryAt?.ToString("yyyy-MM-dd HH:mm:ss") ?? "-", Markup.Escape(l.Error ?? ""));
        AnsiConsole.Write(table);
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
}
