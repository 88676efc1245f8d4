using System.CommandLine;
using System.Globalization;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Cop.Streams.Backtests;
using Cop.Trading;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>
/// `cop backtest --model M [--period validation|test|custom] [--from D --to E] [--mode fast|actor|both]
/// [--rebuild-features] [--database NAME]`: a registered model over the stored bars of a period,
/// decided by the live rules (see <see cref="Backtester"/>), with a progress bar; the result is a
/// row of backtest_results, printed with its metrics and signature. `--mode both` runs the fast
/// loop and the actor and fails (exit 1) unless every decision row is the same.
/// </summary>
public static class BacktestCommand
{
    public static Command Build(Func<Func<Task<int>>, Task<int>> guard)
    {
        var command = new Command("backtest", "Replay a model over the stored bars of a period by the live rules; store the result in backtest_results.");
        var model = new Option<string>("--model") { Description = "The registered model's id.", Required = true };
        var from = new Option<string?>("--from") { Description = "First Bogota date (yyyy-MM-dd), with --period custom." };
        var to = new Option<string?>("--to") { Description = "Last Bogota date (yyyy-MM-dd), inclusive, with --period custom." };
        var period = new Option<string>("--period") { Description = "validation | test (the model's experiment split) | custom.", DefaultValueFactory = _ => "custom" };
        var mode = new Option<string>("--mode") { Description = "fast (the in-process loop) | actor (a DeployedModel actor) | both (and compare).", DefaultValueFactory = _ => "fast" };
        var rebuild = new Option<bool>("--rebuild-features") { Description = "Rebuild the features from the stored bars instead of reading the stored rows." };
        var database = new Option<string?>("--database") { Description = "Another database on Cop's server (e.g. cop_demo after `cop demo`)." };
        var compareLive = new Option<bool>("--compare-live") { Description = "Compare every bar with the model's live rows (trading.model_inferences/trades) of the period; exit 1 on a difference." };
        foreach (var o in new Option[] { model, from, to, period, mode, rebuild, database, compareLive }) command.Options.Add(o);
        command.SetAction((pr, ct) => guard(() => RunAsync(CopSettings.Load(), Request(pr.GetValue(model)!, pr.GetValue(period)!, pr.GetValue(from), pr.GetValue(to),
            pr.GetValue(rebuild)), pr.GetValue(mode)!, pr.GetValue(database), ct, pr.GetValue(compareLive))));
        return command;
    }

    /// <summary>The request from the command line; a bad value is named.</summary>
    public static BacktestRequest Request(string model, string period, string? from, string? to, bool rebuild) =>
        new(model, period.ToLowerInvariant() switch
        {
            "validation" => BacktestPeriod.Validation,
            "test" => BacktestPeriod.Test,
            "custom" => BacktestPeriod.Custom,
            _ => throw new ArgumentException($"--period must be validation, test or custom, not '{period}'"),
        }, Date("--from", from), Date("--to", to)) { RebuildFeatures = rebuild, RunSource = "backend" };

    private static DateOnly? Date(string option, string? text) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new ArgumentException($"{option} '{text}' is not a date (yyyy-MM-dd)");

    public static async Task<int> RunAsync(CopSettings settings, BacktestRequest request, string mode, string? database, CancellationToken ct,
        bool compareLive = false)
    {
        BacktestMode[] modes = mode.ToLowerInvariant() switch
        {
            "fast" => [BacktestMode.FastLoop],
            "actor" => [BacktestMode.Actor],
            "both" => [BacktestMode.FastLoop, BacktestMode.Actor],
            _ => throw new ArgumentException($"--mode must be fast, actor or both, not '{mode}'"),
        };
        await using var services = await BackingServices.StartAsync(settings);
        var cs = services.ConnectionString;
        if (database is not null)
        {
            cs = new NpgsqlConnectionStringBuilder(cs) { Database = database }.ConnectionString;
            try { DatabaseMigrator.Apply(cs); }
            catch (Exception e) when (e is NpgsqlException || e.InnerException is NpgsqlException)
            {
                throw new ArgumentException($"--database {database}: {(e as PostgresException ?? e.InnerException as PostgresException)?.MessageText ?? e.Message}");
            }
        }
        // The actor mode's DeployedModel runs in Cop's actor system, composed by AddCop, its journal in memory.
        await using var app = modes.Contains(BacktestMode.Actor)
            ? await CopApplication.StartAsync(new CopEnvironment { Settings = settings, ConnectionString = cs, ActorFamilies = false, InMemoryJournal = true }, "cop-backtest", ct)
            : null;
        await using var service = new BacktestService(settings, cs, app?.System);

        var results = new List<BacktestResult>();
        try
        {
            foreach (var m in modes)
                results.Add(await RunOneAsync(service.Backtester, request with { Mode = m, KeepDecisions = modes.Length > 1 || compareLive }, ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            AnsiConsole.MarkupLine("[yellow]cancelled: nothing stored[/]");
            return 1;
        }

        foreach (var r in results) Print(r);
        var exit = 0;
        if (compareLive)
            foreach (var r in results)
            {
                var label = r.Mode == BacktestMode.FastLoop ? "fast loop" : "actor";
                var live = await service.Store.LiveDecisionsAsync(r.ModelId, r.Symbol, TradingSession.BogotaMidnightUtc(r.From), TradingSession.BogotaMidnightUtc(r.To.AddDays(1)), ct);
                var byBar = r.Decisions.ToDictionary(d => d.BarTime);
                var differing = live.Where(l => !byBar.TryGetValue(l.BarTime, out var b) || !SameAsLive(l, b)).ToList();
                var fills = live.Count(l => l.FillPrice is not null);
                if (differing.Count == 0)
                    AnsiConsole.MarkupLine($"[green]{label} equals the live rows[/]: {live.Count:N0} decisions (action, verdict, observation hash, confidence), "
                        + $"{fills:N0} fills (price, equity after)" + (live.Count < r.Decisions.Count
                            ? $"; [yellow]{r.Decisions.Count - live.Count:N0} backtested bars have no live decision[/] (from {r.Decisions.First(d => live.Count == 0 || d.BarTime > live[^1].BarTime).BarTime:yyyy-MM-dd HH:mm}Z)" : ""));
                else
                {
                    exit = 1;
                    var first = differing[0];
                    AnsiConsole.MarkupLine($"[red]{label} differs from the live rows[/]: {differing.Count:N0} of {live.Count:N0} live rows; "
                        + Markup.Escape($"first at {first.BarTime:O}: live {first}, backtest {(byBar.TryGetValue(first.BarTime, out var b) ? b : "no row")}"));
                }
            }
        if (results.Count == 2)
        {
            var (fast, actor) = (results[0], results[1]);
            var differing = fast.Decisions.Zip(actor.Decisions, SameRow).Count(same => !same);
            var same = fast.Decisions.Count == actor.Decisions.Count && differing == 0 && fast.Signature == actor.Signature;
            AnsiConsole.MarkupLine(same
                ? $"[green]fast loop and actor agree[/]: {fast.Decisions.Count:N0} decisions, signature {fast.Signature}"
                : $"[red]fast loop and actor differ[/]: {differing:N0} of {fast.Decisions.Count:N0} rows ({actor.Decisions.Count:N0} from the actor), signatures {fast.Signature} / {actor.Signature}");
            if (!same) return 1;
        }
        return exit;
    }

    /// <summary>A backtest row against a live one: every column the live tables hold of a decision.</summary>
    public static bool SameAsLive(Persistence.Stores.LiveDecision live, Cop.Actors.Models.DecisionRecord b) =>
        live.BarTime == b.BarTime && live.Action == b.Action.ToString().ToUpperInvariant() && live.Verdict == b.Verdict.ToString()
        && live.ObservationHash == b.ObservationHash && live.Confidence.Equals(b.Confidence) && Nullable.Equals(live.FillPrice, b.Fill?.Price)
        && (live.EquityAfterFill is null || live.EquityAfterFill.Value.Equals(b.EquityAfter));

    /// <summary>The columns a live decision row is compared on (latency is the machine's, not the decision's).</summary>
    public static bool SameRow(Cop.Actors.Models.DecisionRecord a, Cop.Actors.Models.DecisionRecord b) =>
        a.BarTime == b.BarTime && a.Action == b.Action && a.Verdict == b.Verdict && a.ObservationHash == b.ObservationHash
        && a.Confidence.Equals(b.Confidence) && Equals(a.Fill, b.Fill) && a.EquityAfter.Equals(b.EquityAfter);

    private static async Task<BacktestResult> RunOneAsync(Backtester backtester, BacktestRequest request, CancellationToken ct)
    {
        BacktestResult? result = null;
        var label = request.Mode == BacktestMode.FastLoop ? "fast loop" : "actor";
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                ProgressTask? bar = null;
                result = await backtester.RunAsync(request, e =>
                {
                    switch (e)
                    {
                        case BacktestEvent.Started s:
                            bar = progress.AddTask($"{Markup.Escape(s.ModelId)} {s.From:yyyy-MM-dd}..{s.To:yyyy-MM-dd} ({label})", maxValue: s.TotalBars);
                            break;
                        case BacktestEvent.Progress p when bar is not null:
                            bar.Value = p.Bars;
                            break;
                    }
                    return ValueTask.CompletedTask;
                }, ct);
            });
        return result!;
    }

    private static void Print(BacktestResult r)
    {
        var m = r.Report;
        var table = new Table().Title($"backtest {r.BacktestId} ({(r.Mode == BacktestMode.FastLoop ? "fast loop" : "actor")}, {(r.RebuiltFeatures ? "rebuilt" : "stored")} features)")
            .AddColumns("figure", "value");
        table.AddRow("model", Markup.Escape($"{r.ModelId} (version {r.ModelVersion})"));
        table.AddRow("period", $"{r.Period.ToString().ToLowerInvariant()} {r.From:yyyy-MM-dd} .. {r.To:yyyy-MM-dd}");
        table.AddRow("bars decided", m.Bars.ToString("N0"));
        table.AddRow("trades (fills) / closed round trips", $"{m.TotalTrades:N0} / {m.ClosedTrips:N0}");
        table.AddRow("win rate", m.WinRate.ToString("P2", CultureInfo.InvariantCulture));
        table.AddRow("Sharpe (daily, annualised)", m.Sharpe.ToString("F4", CultureInfo.InvariantCulture));
        table.AddRow("max drawdown", m.MaxDrawdown.ToString("P3", CultureInfo.InvariantCulture));
        table.AddRow("total PnL (COP per USD unit)", m.TotalPnl.ToString("N2", CultureInfo.InvariantCulture));
        table.AddRow("total return", m.TotalReturn.ToString("P4", CultureInfo.InvariantCulture));
        table.AddRow("profit factor", m.ProfitFactor is { } pf ? pf.ToString("F4", CultureInfo.InvariantCulture) : "undefined (no losing trip)");
        table.AddRow("exposure", m.Exposure.ToString("P2", CultureInfo.InvariantCulture));
        table.AddRow("average holding", $"{m.AverageHoldingBars:F1} bars ({m.AverageHoldingTime.TotalHours:F1} h)");
        table.AddRow("final equity (start 10,000)", m.FinalEquity.ToString("N2", CultureInfo.InvariantCulture));
        table.AddRow("signature (SHA-256)", r.Signature);
        table.AddRow("speed", $"{r.BarsPerSecond:N0} bars/s ({r.Elapsed.TotalMilliseconds:N0} ms)");
        AnsiConsole.Write(table);
    }
}
