using System.CommandLine;
using System.Globalization;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Npgsql;
using Serilog;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop replay model ID [--to T] [--verify] [--repair]` (parsing and display; the use case is <see cref="ModelReplay"/>).</summary>
public static class ReplayCommand
{
    public static Command Build(Func<Func<Task<int>>, Task<int>> guard)
    {
        var replay = new Command("replay", "Rebuild history from the journals.");
        var model = new Command("model", "A model's decisions, fills and paper account from its journal; --verify compares them with the tables (exit 1 on a difference), --repair rewrites missing rows.");
        var id = new Argument<string>("model") { Description = "The model id (as in `cop models list`)." };
        var to = new Option<string?>("--to") { Description = "The account as of this time (ISO 8601 with offset, e.g. 2020-01-10T17:55:00Z; default: all)." };
        var verify = new Option<bool>("--verify") { Description = "Compare with trading.model_inferences and trading.trades; list every difference." };
        var repair = new Option<bool>("--repair") { Description = "Write the decision and trade rows the tables lack (idempotent), then verify again." };
        model.Arguments.Add(id);
        model.Options.Add(to);
        model.Options.Add(verify);
        model.Options.Add(repair);
        model.SetAction((pr, ct) => guard(() => RunAsync(CopSettings.Load(), pr.GetValue(id)!, ParseTime(pr.GetValue(to)), pr.GetValue(verify), pr.GetValue(repair), ct)));
        replay.Subcommands.Add(model);
        return replay;
    }

    public static DateTime? ParseTime(string? value) =>
        value is null ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.UtcDateTime
        : throw new ArgumentException($"--to '{value}' is not a time: give ISO 8601, e.g. 2020-01-10T17:55:00Z");

    public static async Task<int> RunAsync(CopSettings settings, string modelId, DateTime? to, bool verify, bool repair, CancellationToken ct)
    {
        await using var services = await BackingServices.StartAsync(settings);
        await using var db = NpgsqlDataSource.Create(services.ConnectionString);
        // The actor system alone (journal, read journal, serializer): through the one composition root, no family started.
        await using var app = await CopApplication.StartAsync(new CopEnvironment
        {
            Settings = settings, ConnectionString = services.ConnectionString, ActorFamilies = false,
        }, "cop-replay", ct);
        var result = await ModelReplay.RunAsync(app.System, db, modelId, settings.Trading.Models.Symbol, to, verify, repair, ct);
        Print(modelId, to, result);
        if (!verify && !repair) return 0;
        if (repair)
            Log.Information("Repair: {Rewritten} decisions written again, {Relinked} decision rows relinked to their trades", result.Rewritten, result.Relinked);
        foreach (var d in result.Remaining) AnsiConsole.WriteLine(d);
        AnsiConsole.WriteLine(result.Remaining.Count == 0
            ? $"verify: no difference between the journal and the tables ({result.History.Decisions.Count} decisions)"
            : $"verify: {result.Remaining.Count} differences between the journal and the tables");
        return result.Remaining.Count == 0 ? 0 : 1;
    }

    private static void Print(string modelId, DateTime? to, ReplayResult r)
    {
        var s = r.History.State;
        var a = s.Account;
        var table = new Table().Title(Markup.Escape($"{modelId} from its journal{(to is { } t ? $", as of {t:yyyy-MM-dd HH:mm}Z" : "")}")).AddColumns("", "");
        void Row(string k, string v) => table.AddRow(k, Markup.Escape(v));
        Row("decisions", r.History.Decisions.Count.ToString(CultureInfo.InvariantCulture));
        Row("skipped bars", r.History.Skips.Count.ToString(CultureInfo.InvariantCulture));
        Row("trades", a.Trades.ToString(CultureInfo.InvariantCulture));
        Row("last bar", s.LastBar?.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) ?? "none");
        Row("position", a.Position.ToString(CultureInfo.InvariantCulture));
        Row("entry price", a.EntryPrice.ToString("F4", CultureInfo.InvariantCulture));
        Row("realised", a.Realised.ToString("F4", CultureInfo.InvariantCulture));
        Row("equity", a.Equity.ToString("F4", CultureInfo.InvariantCulture));
        Row("peak equity", a.PeakEquity.ToString("F4", CultureInfo.InvariantCulture));
        Row("drawdown", a.Drawdown.ToString("P3", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        if (r.Differences.Count > 0 && r.Rewritten + r.Relinked > 0)
        {
            AnsiConsole.WriteLine($"before the repair, {r.Differences.Count} differences:");
            foreach (var d in r.Differences) AnsiConsole.WriteLine(d);
        }
    }
}
