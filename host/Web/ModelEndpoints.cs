using System.Security.Claims;
using Cop.Host.Application;
using Cop.Persistence.Promotion;

namespace Cop.Host.Web;

/// <summary>The registry with what the running service does with each model; the audited kill switch.</summary>
public static class ModelEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("models");
        models.MapGet("/", async (WebStores s, CancellationToken ct) => TypedResults.Ok(await s.Models.ListAsync(ct)))
            .RequireAuthorization(CopWeb.Viewer);
        models.MapGet("/{modelId}/decisions", (string modelId, int? limit, WebStores s, CancellationToken ct) => CopWeb.Guarded(async () =>
        {
            var n = Limit(limit, 100);
            if (!await s.Models.ExistsAsync(modelId, ct)) throw new PromotionInputException("modelId", $"unknown model '{modelId}'", 404);
            return Results.Ok(await s.Models.DecisionsAsync(modelId, n, ct));
        })).RequireAuthorization(CopWeb.Viewer).Produces<IReadOnlyList<DecisionView>>();
        models.MapGet("/{modelId}/equity", (string modelId, int? limit, WebStores s, CancellationToken ct) => CopWeb.Guarded(async () =>
        {
            var n = Limit(limit, 2000);
            if (!await s.Models.ExistsAsync(modelId, ct)) throw new PromotionInputException("modelId", $"unknown model '{modelId}'", 404);
            return Results.Ok(await s.Models.EquityAsync(modelId, n, ct));
        })).RequireAuthorization(CopWeb.Viewer).Produces<IReadOnlyList<EquityView>>();
        models.MapPost("/{modelId}/kill-switch", (string modelId, HttpRequest request, ClaimsPrincipal user, PromotionService service) =>
            CopWeb.Guarded(async () =>
            {
                var body = await ApiBodies.ReadAsync<KillSwitchBody>(request);
                await service.SetKillSwitchAsync(modelId, body.On, user.Email(), request.HttpContext.RequestAborted);
                return Results.NoContent();
            })).WithCsrf().RequireAuthorization(CopWeb.Reviewer).Accepts<KillSwitchBody>("application/json");
    }

    public static int Limit(int? limit, int fallback) => limit switch
    {
        null => fallback,
        < 1 or > 10_000 => throw new PromotionInputException("limit", $"{limit} is not between 1 and 10,000"),
        { } n => n,
    };
}
