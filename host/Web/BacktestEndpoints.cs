using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cop.Host.Application;
using Cop.Persistence.Promotion;
using Cop.Streams.Backtests;

namespace Cop.Host.Web;

/// <summary>A point of a stored equity curve.</summary>
public sealed record CurvePoint(DateTime Time, double Equity, int Position);

/// <summary>A stored fill as the trades table shows it.</summary>
public sealed record TradeView(DateTime Time, string Side, double Quantity, double Price, double PositionAfter, double? EquityAfter);

/// <summary>A past backtest in full: its metrics, equity curve and trades as stored.</summary>
public sealed record BacktestView(BacktestSummary Summary, IReadOnlyList<CurvePoint> EquityCurve, IReadOnlyList<TradeView> Trades);

/// <summary>The metrics the control panel shows when a run completes.</summary>
public sealed record BacktestMetricsView(int TotalTrades, double WinRate, double Sharpe, double MaxDrawdown, double TotalPnl, double TotalReturn, double? ProfitFactor);

/// <summary>
/// Past backtests (backtest_results) and a run streamed as server-sent events from the backtest
/// engine's Akka.Streams source (<see cref="Backtester.Events"/>): started, trade, equity, progress,
/// then completed (stored) or failed. A client that goes away cancels the run (nothing stored).
/// </summary>
public static class BacktestEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(RouteGroupBuilder api)
    {
        var b = api.MapGroup("/backtests").WithTags("backtests");
        b.MapGet("/", (string? modelId, int? limit, WebStores s, CancellationToken ct) => CopWeb.Guarded(async () =>
            Results.Ok(await new BacktestListing(s.Db).ListAsync(string.IsNullOrWhiteSpace(modelId) ? null : modelId, ModelEndpoints.Limit(limit, 100), ct))))
            .RequireAuthorization(CopWeb.Viewer).Produces<IReadOnlyList<BacktestSummary>>();
        b.MapGet("/{backtestId}", (string backtestId, WebStores s, BacktestService backtests, CancellationToken ct) => CopWeb.Guarded(async () =>
        {
            if (!Guid.TryParse(backtestId, out var id)) throw new PromotionInputException("backtestId", $"'{backtestId}' is not a backtest id (a UUID)");
            var summary = await new BacktestListing(s.Db).GetAsync(id, ct);
            var stored = summary is null ? null : await backtests.Store.LoadAsync(id, ct);
            if (summary is null || stored is null) throw new PromotionInputException("backtestId", $"no backtest {id}", 404);
            var equity = stored.EquityCurve.ToDictionary(p => p.BarTime, p => p.Equity);
            return Results.Ok(new BacktestView(summary.Summary, [.. stored.EquityCurve.Select(p => new CurvePoint(p.BarTime, p.Equity, p.Position))],
                [.. stored.Trades.Select(f => new TradeView(f.BarTime, f.To > f.From ? "BUY" : "SELL", Math.Abs(f.To - f.From), f.Price, f.To,
                    equity.TryGetValue(f.BarTime, out var e) ? e : null))]));
        })).RequireAuthorization(CopWeb.Viewer).Produces<BacktestView>();
        b.MapPost("/", RunAsync).WithCsrf().RequireAuthorization(CopWeb.Reviewer)
            .Accepts<BacktestBody>("application/json").Produces(200, contentType: "text/event-stream").ProducesProblem(400).ProducesProblem(429);
    }

    /// <summary>Checks the request (400 naming the field) before anything runs, then streams the run.</summary>
    private static async Task<IResult> RunAsync(HttpContext http, ClaimsPrincipal user, WebStores stores, BacktestService backtests, BacktestGate gate,
        ActorSystem system)
    {
        BacktestRequest request;
        try
        {
            var body = await ApiBodies.ReadAsync<BacktestBody>(http.Request);
            if (string.IsNullOrWhiteSpace(body.ModelId)) throw new PromotionInputException("modelId", "is required");
            var period = body.Period switch
            {
                "validation" => BacktestPeriod.Validation,
                "test" => BacktestPeriod.Test,
                "custom" => BacktestPeriod.Custom,
                _ => throw new PromotionInputException("period", $"'{body.Period}' is not validation, test or custom"),
            };
            DateOnly? Day(string field, string? s) => string.IsNullOrWhiteSpace(s) ? null
                : DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
                : throw new PromotionInputException(field, $"'{s}' is not a date (yyyy-MM-dd)");
            var (from, to) = (Day("start", body.Start), Day("end", body.End));
            if (period == BacktestPeriod.Custom)
            {
                if (from is null) throw new PromotionInputException("start", "a custom period needs a start date");
                if (to is null) throw new PromotionInputException("end", "a custom period needs an end date");
                if (from > to) throw new PromotionInputException("end", $"{to:yyyy-MM-dd} is before the start {from:yyyy-MM-dd}");
            }
            else if (from is not null || to is not null)
                throw new PromotionInputException(from is not null ? "start" : "end", $"the {body.Period} period takes its dates from the model's experiment: give dates only with custom");
            var model = await backtests.Store.FindModelAsync(body.ModelId, http.RequestAborted)
                        ?? throw new PromotionInputException("modelId", $"unknown model '{body.ModelId}'");
            request = new BacktestRequest(model.ModelId, period, from, to) { RunSource = "frontend", CreatedBy = user.Email() };
            try { Backtester.Period(request, model); }
            catch (ArgumentException e) { throw new PromotionInputException("period", e.Message); }
        }
        catch (PromotionInputException e) { return CopWeb.Problem(e); }
        if (!gate.TryEnter())
            return CopWeb.Problem(new PromotionInputException("modelId", "too many backtests running (cop.web.backtest-limit): try again when one ends", 429));
        try
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.Body.FlushAsync(http.RequestAborted);
            BacktestResult? result = null;
            try
            {
                await backtests.Backtester.Events(request, http.RequestAborted)
                    .SelectAsync(1, async e =>
                    {
                        if (e is BacktestEvent.Completed c) result = c.Result;
                        await WriteAsync(http, e);
                        return e;
                    })
                    .RunWith(Sink.Ignore<BacktestEvent>(), system.Materializer());
            }
            catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
            {
                await SendAsync(http, "failed", new { error = (e is AggregateException { InnerException: { } inner } ? inner : e).Message });
            }
            if (result is { } r)
                await stores.Promotions.RecordAsync(user.Email(), "backtest", r.ModelId,
                    $"{r.BacktestId}: {r.Period.ToString().ToLowerInvariant()} {r.From:yyyy-MM-dd}..{r.To:yyyy-MM-dd}, {r.Report.TotalTrades} trades, Sharpe {r.Report.Sharpe:0.###}");
            return Results.Empty;
        }
        finally { gate.Exit(); }
    }

    private static Task WriteAsync(HttpContext http, BacktestEvent e) => e switch
    {
        BacktestEvent.Started s => SendAsync(http, "started", new { backtestId = s.BacktestId, modelId = s.ModelId, from = s.From, to = s.To, totalBars = s.TotalBars }),
        BacktestEvent.Progress p => SendAsync(http, "progress", new { done = p.Bars, total = p.TotalBars, time = p.BarTime, equity = p.Equity }),
        BacktestEvent.TradeFilled t => SendAsync(http, "trade", new TradeView(t.Fill.BarTime, t.Fill.To > t.Fill.From ? "BUY" : "SELL",
            Math.Abs(t.Fill.To - t.Fill.From), t.Fill.Price, t.Fill.To, t.EquityAfter)),
        BacktestEvent.EquityUpdate u => SendAsync(http, "equity", new { time = u.Point.BarTime, equity = u.Point.Equity }),
        BacktestEvent.Completed c => SendAsync(http, "completed", new
        {
            backtestId = c.Result.BacktestId, bars = c.Result.Report.Bars,
            metrics = new BacktestMetricsView(c.Result.Report.TotalTrades, c.Result.Report.WinRate, c.Result.Report.Sharpe, c.Result.Report.MaxDrawdown,
                c.Result.Report.TotalPnl, c.Result.Report.TotalReturn, c.Result.Report.ProfitFactor),
        }),
        _ => Task.CompletedTask,
    };

    private static async Task SendAsync(HttpContext http, string type, object data)
    {
        await http.Response.WriteAsync($"event: {type}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }
}
