using System.Text.Json;
using Cop.Host.Application;

namespace Cop.Host.Web;

/// <summary>POST /api/auth/login.</summary>
public sealed record LoginBody(string? Email, string? Password);

/// <summary>POST /api/models/{id}/kill-switch.</summary>
public sealed record KillSwitchBody(bool? On);

/// <summary>POST /api/promotions: promote a model on the strength of one of its backtests.</summary>
public sealed record PromotionBody(string? ModelId, string? BacktestId, string? TargetStage, bool? RetirePrevious);

/// <summary>POST /api/promotions/{id}/vote: approve or reject, with the checklist (all three to approve) and a comment.</summary>
public sealed record VoteBody(string? Decision, bool? EquityCurveReviewed, bool? TradeDistributionReviewed, bool? TeamNotified, string? Comment);

/// <summary>POST /api/backtests: a model over a period (validation, test, or custom with start and end, yyyy-MM-dd).</summary>
public sealed record BacktestBody(string? ModelId, string? Period, string? Start, string? End);

/// <summary>Reads a JSON body so that a malformed one is a 400 naming the field (the JSON path), as every other refusal.</summary>
public static class ApiBodies
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static async Task<T> ReadAsync<T>(HttpRequest request) where T : class
    {
        if (request.HasJsonContentType() is false) throw new PromotionInputException("body", "must be JSON (Content-Type: application/json)");
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted)
                   ?? throw new PromotionInputException("body", "is empty");
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "body";
            throw new PromotionInputException(field, $"is not valid here ({e.Message.Split(". Path:")[0]})");
        }
    }
}
