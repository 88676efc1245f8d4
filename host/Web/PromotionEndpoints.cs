using System.Security.Claims;
using System.Text.Json;
using Cop.Host.Application;
using Cop.Persistence.Promotion;
using Cop.Trading.Promotion;

namespace Cop.Host.Web;

/// <summary>A promotion request as the API shows it, with its automatic vote's checks.</summary>
public sealed record PromotionView(Guid RequestId, string ModelId, string ModelVersion, Guid? BacktestId, string? BacktestPeriod, string TargetStage,
    string AutoVoteStatus, JsonElement? AutoVote, DateTime? AutoVoteAt, string ManualVoteStatus, string? ManualVoteBy, DateTime? ManualVoteAt,
    string? ManualVoteComment, bool EquityCurveReviewed, bool TradeDistributionReviewed, bool TeamNotified, string FinalDecision,
    string? RequestedBy, bool RetirePrevious, DateTime CreatedAt, DateTime? PromotedAt)
{
    public static PromotionView Of(PromotionRequestRow r) => new(r.RequestId, r.ModelId, r.ModelVersion, r.BacktestId, r.BacktestPeriod, r.TargetStage,
        r.AutoVoteStatus, r.AutoVoteDetails is { } d ? JsonDocument.Parse(d).RootElement.Clone() : null, r.AutoVoteAt, r.ManualVoteStatus, r.ManualVoteBy,
        r.ManualVoteAt, r.ManualVoteComment, r.EquityCurveReviewed, r.TradeDistributionReviewed, r.TeamNotified, r.FinalDecision, r.RequestedBy,
        r.RetirePrevious, r.CreatedAt, r.PromotedAt);
}

/// <summary>The answer to a vote: the request after it, and what the deploy changed (null: no deploy).</summary>
public sealed record VoteResult(PromotionView Request, DeployResult? Deploy);

/// <summary>The automatic vote's thresholds per stage (cop.promotion).</summary>
public sealed record ThresholdsView(PromotionThresholds Staging, PromotionThresholds Production);

/// <summary>Promotion requests (dual vote, deploy) and the audit log.</summary>
public static class PromotionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var p = api.MapGroup("/promotions").WithTags("promotions");
        p.MapGet("/", async (PromotionService s, CancellationToken ct) => TypedResults.Ok((await s.ListAsync(ct)).Select(PromotionView.Of).ToList()))
            .RequireAuthorization(CopWeb.Viewer);
        p.MapGet("/thresholds", (PromotionSettings s) => TypedResults.Ok(new ThresholdsView(s.Staging, s.Production)))
            .RequireAuthorization(CopWeb.Viewer);
        p.MapGet("/{requestId}", (string requestId, PromotionService s, CancellationToken ct) => CopWeb.Guarded(async () =>
        {
            if (!Guid.TryParse(requestId, out var id)) throw new PromotionInputException("requestId", $"'{requestId}' is not a request id (a UUID)");
            var r = await s.GetAsync(id, ct) ?? throw new PromotionInputException("requestId", $"no promotion request {id}", 404);
            return Results.Ok(PromotionView.Of(r));
        })).RequireAuthorization(CopWeb.Viewer).Produces<PromotionView>();
        p.MapPost("/", (HttpRequest request, ClaimsPrincipal user, PromotionService s) => CopWeb.Guarded(async () =>
        {
            var body = await ApiBodies.ReadAsync<PromotionBody>(request);
            var r = await s.RequestAsync(body.ModelId, body.BacktestId, body.TargetStage, body.RetirePrevious ?? false, user.Email(), request.HttpContext.RequestAborted);
            return Results.Created($"/api/promotions/{r.RequestId}", PromotionView.Of(r));
        })).WithCsrf().RequireAuthorization(CopWeb.Reviewer).Accepts<PromotionBody>("application/json").Produces<PromotionView>(201);
        p.MapPost("/{requestId}/vote", (string requestId, HttpRequest request, ClaimsPrincipal user, PromotionService s) => CopWeb.Guarded(async () =>
        {
            var body = await ApiBodies.ReadAsync<VoteBody>(request);
            var (r, deploy) = await s.VoteAsync(requestId, body.Decision,
                new ManualChecklist(body.EquityCurveReviewed ?? false, body.TradeDistributionReviewed ?? false, body.TeamNotified ?? false),
                body.Comment, user.Email(), request.HttpContext.RequestAborted);
            return Results.Ok(new VoteResult(PromotionView.Of(r), deploy));
        })).WithCsrf().RequireAuthorization(CopWeb.Reviewer).Accepts<VoteBody>("application/json").Produces<VoteResult>();

        api.MapGet("/audit", async (PromotionService s, CancellationToken ct) => TypedResults.Ok(await s.AuditAsync(ct)))
            .WithTags("audit").RequireAuthorization(CopWeb.Viewer);
    }
}
