using System.CommandLine;
using System.Globalization;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Journal;
using Cop.Persistence.Stores;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop projections rebuild NAME` and `cop projections show NAME [--model M]`.</summary>
public static class ProjectionsCommand
{
    private static readonly string[] Known = [ModelDailyPnlStore.Projection];

    public static Command Build(Func<Func<Task<int>>, Task<int>> guard)
    {
        var projections = new Command("projections", "Read models kept from the journal (model-daily-pnl).");
        var name = new Argument<string>("name") { Description = $"The projection: {string.Join(", ", Known)}." };
        var rebuild = new Command("rebuild", "Empty the projection and its offset and build it again from the first journal event (a running cop run follows).");
        rebuild.Arguments.Add(name);
        rebuild.SetAction((pr, ct) => guard(() => RebuildAsync(CopSettings.Load(), Check(pr.GetValue(name)!), ct)));
        var show = new Command("show", "Print the projection's rows and its stored journal offset.");
        var model = new Option<string?>("--model") { Description = "Only this model." };
        show.Arguments.Add(name);
        show.Options.Add(model);
        show.SetAction((pr, ct) => guard(() => ShowAsync(CopSettings.Load(), Check(pr.GetValue(name)!), pr.GetValue(model), ct)));
        projections.Subcommands.Add(rebuild);
        projections.Subcommands.Add(show);
        return projections;
    }

    private static string Check(string name) => Known.Contains(name) ? name
        : throw new ArgumentException($"no projection '{name}': known are {string.Join(", ", Known)}");

    public static async Task<int> RebuildAsync(CopSettings settings, string name, CancellationToken ct)
    {
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        await using var app = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = settings, ConnectionString = services.ConnectionString, ActorFamilies = false,
        }, "cop-projections", ct);
        var store = new ModelDailyPnlStore(db);
        await store.ResetAsync(ct);
        var (offset, events) = await ProjectionCatchUp.RunAsync(new ModelJournal(app.System), store, ProjectionSettings.From(settings.Hocon).BatchSize, ct);
        var rows = await store.ReadAsync(ct);
        AnsiConsole.WriteLine($"projection {name} rebuilt: {events} events, {rows.Count} rows, journal offset {offset}");
        return 0;
    }

    public static async Task<int> ShowAsync(CopSettings settings, string name, string? model, CancellationToken ct)
    {
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        var store = new ModelDailyPnlStore(db);
        var rows = (await store.ReadAsync(ct)).Where(r => model is null || r.ModelId == model).ToList();
        var table = new Table().Title($"{name} (journal offset {await store.OffsetAsync(ct)})")
            .AddColumns("model", "day", "decisions", "approved", "trades", "buys", "sells", "costs", "equity open", "equity close", "low", "high", "pnl");
        static string M(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.ModelId), r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), $"{r.Decisions}", $"{r.Approved}", $"{r.Trades}",
                $"{r.Buys}", $"{r.Sells}", M(r.Costs), M(r.EquityOpen), M(r.EquityClose), M(r.EquityLow), M(r.EquityHigh), M(r.Pnl));
        AnsiConsole.Write(table);
        return 0;
    }
}
