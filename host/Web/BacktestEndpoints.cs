using System.Text.Json;
using Cop.Host.Application;
using Cop.Persistence.Promotion;

namespace Cop.Host.Web;

/// <summary>A past backtest in full: its metrics, equity curve and trades as stored.</summary>
public sealed record BacktestView(BacktestSummary Summary, JsonElement? EquityCurve, JsonElement? Trades);

/// <summary>Past backtests (backtest_results) and, with the backtest engine, a run streamed as server-sent events.</summary>
public static class BacktestEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var b = api.MapGroup("/backtests").WithTags("backtests");
        b.MapGet("/", (string? modelId, int? limit, WebStores s, CancellationToken ct) => CopWeb.Guarded(async () =>
            Results.Ok(await new BacktestListing(s.Db).ListAsync(string.IsNullOrWhiteSpace(modelId) ? null : modelId, ModelEndpoints.Limit(limit, 100), ct))))
            .RequireAuthorization(CopWeb.Viewer).Produces<IReadOnlyList<BacktestSummary>>();
        b.MapGet("/{backtestId}", (string backtestId, WebStores s, CancellationToken ct) => CopWeb.Guarded(async () =>
        {
            if (!Guid.TryParse(backtestId, out var id)) throw new PromotionInputException("backtestId", $"'{backtestId}' is not a backtest id (a UUID)");
            var d = await new BacktestListing(s.Db).GetAsync(id, ct) ?? throw new PromotionInputException("backtestId", $"no backtest {id}", 404);
            return Results.Ok(new BacktestView(d.Summary, Parse(d.EquityCurveJson), Parse(d.TradesJson)));
        })).RequireAuthorization(CopWeb.Viewer).Produces<BacktestView>();
    }

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
