using System.Text.Json;
using Cop.Persistence.Promotion;
using Cop.Trading.Promotion;

namespace Cop.Host.Application;

/// <summary>
/// The promotion flow's actions (plan-v7 L4 steps 2-4), one code path for the web API and `cop
/// promote`: validate the input naming the field, apply the domain's rules (Cop.Trading.Promotion),
/// write through the store. Who acts is given by the caller (the signed-in user, or the CLI's --as
/// user checked against cop_users); roles are checked here as well as by the API's policies.
/// </summary>
public sealed class PromotionService(PromotionStore store, UserStore users, PromotionSettings settings, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public PromotionSettings Settings => settings;

    /// <summary>A request with its automatic vote computed at once.</summary>
    public async Task<PromotionRequestRow> RequestAsync(string? modelId, string? backtestId, string? targetStage, bool retirePrevious, string by,
        CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(modelId)) throw new PromotionInputException("modelId", "is required");
        if (modelId.Length > 100) throw new PromotionInputException("modelId", "is longer than 100 characters");
        if (PromotionRules.ParseStage(targetStage) is not { } stage)
            throw new PromotionInputException("targetStage", $"'{targetStage}' is not staging or production");
        if (!Guid.TryParse(backtestId, out var backtest)) throw new PromotionInputException("backtestId", $"'{backtestId}' is not a backtest id (a UUID)");
        if (retirePrevious && stage != PromotionStage.Production)
            throw new PromotionInputException("retirePrevious", "only a promotion to production retires a model");
        var model = await store.ModelAsync(modelId, ct) ?? throw new PromotionInputException("modelId", $"unknown model '{modelId}'");
        var run = await store.BacktestAsync(backtest, ct) ?? throw new PromotionInputException("backtestId", $"no backtest {backtest}");
        if (!string.Equals(run.ModelId, model.ModelId, StringComparison.Ordinal))
            throw new PromotionInputException("backtestId", $"backtest {backtest} is of model '{run.ModelId}', not '{model.ModelId}'");
        await RequireRoleAsync(by, ct);

        var metrics = new VoteMetrics(run.Sharpe ?? double.NaN, run.WinRate ?? double.NaN, run.MaxDrawdown ?? double.NaN, run.TotalTrades ?? 0);
        var vote = AutomaticVote.Compute(metrics, settings.For(stage), model.StagingSince, _clock.GetUtcNow().UtcDateTime);
        var details = JsonSerializer.Serialize(new
        {
            stage = stage.Name(),
            passed = vote.Passed,
            checks = vote.Checks.Select(c => new { name = c.Name, value = Json(c.Value), threshold = c.Threshold, passed = c.Passed }),
            metrics = new { sharpe = run.Sharpe, winRate = run.WinRate, maxDrawdown = run.MaxDrawdown, totalTrades = run.TotalTrades },
            backtest = new { id = run.BacktestId, period = run.PeriodType, start = run.Start, end = run.End },
            stagingSince = model.StagingSince,
        });
        var id = await store.CreateAsync(new NewPromotionRequest(model.ModelId, run.ModelVersion ?? model.Version, run.BacktestId, run.PeriodType,
            stage.Name(), (vote.Passed ? VoteStatus.Passed : VoteStatus.Failed).Name(), details, by, retirePrevious), ct);
        return (await store.GetAsync(id, ct))!;
    }

    // JSON has no NaN: a missing metric is null.
    private static double? Json(double v) => double.IsFinite(v) ? v : null;

    /// <summary>The manual vote; a promoted or override-promoted request deploys in the same transaction.</summary>
    public async Task<(PromotionRequestRow Request, DeployResult? Deploy)> VoteAsync(string? requestId, string? decision, ManualChecklist checklist,
        string? comment, string by, CancellationToken ct = default)
    {
        if (!Guid.TryParse(requestId, out var id)) throw new PromotionInputException("requestId", $"'{requestId}' is not a request id (a UUID)");
        var approve = decision switch
        {
            "approve" => true,
            "reject" => false,
            _ => throw new PromotionInputException("decision", $"'{decision}' is not approve or reject"),
        };
        if (comment is { Length: > 2000 }) throw new PromotionInputException("comment", "is longer than 2,000 characters");
        await RequireRoleAsync(by, ct);
        VoteRefusal? refused = null;
        var result = await store.VoteAsync(id, current =>
        {
            refused = PromotionRules.RefuseVote(current.RequestedBy ?? "", by, approve, checklist, PromotionRules.ParseVote(current.ManualVoteStatus));
            if (refused is not null) return null;
            var manual = approve ? VoteStatus.Approved : VoteStatus.Rejected;
            var final = PromotionRules.Decide(PromotionRules.ParseVote(current.AutoVoteStatus), manual);
            var stage = PromotionRules.ParseStage(current.TargetStage) ?? PromotionStage.Staging;
            return new ManualVoteWrite(by, manual.Name(), string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(),
                checklist.EquityCurveReviewed, checklist.TradeDistributionReviewed, checklist.TeamNotified, final.Name(),
                PromotionRules.Deploys(final) ? new DeployWrite(PromotionRules.RegistryStatus(stage), current.RetirePrevious) : null);
        }, ct) ?? throw new PromotionInputException("requestId", $"no promotion request {id}", 404);
        if (refused is { } r)
            throw new PromotionInputException(r.Field, r.Message, r.Forbidden ? 403 : r.Field == "requestId" ? 409 : 400);
        return result;
    }

    public async Task SetKillSwitchAsync(string? modelId, bool? on, string by, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(modelId)) throw new PromotionInputException("modelId", "is required");
        if (on is not { } value) throw new PromotionInputException("on", "is required (true or false)");
        await RequireRoleAsync(by, ct);
        if (!await store.SetKillSwitchAsync(modelId, value, by, ct)) throw new PromotionInputException("modelId", $"unknown model '{modelId}'");
    }

    public Task<PromotionRequestRow?> GetAsync(Guid id, CancellationToken ct = default) => store.GetAsync(id, ct);

    public Task<IReadOnlyList<PromotionRequestRow>> ListAsync(CancellationToken ct = default) => store.ListAsync(ct: ct);

    public Task<IReadOnlyList<AuditEntry>> AuditAsync(CancellationToken ct = default) => store.AuditAsync(ct: ct);

    /// <summary>Requests, votes and kill switches need a reviewer or an admin (also for the CLI's --as).</summary>
    private async Task RequireRoleAsync(string by, CancellationToken ct)
    {
        var user = await users.GetAsync(by, ct) ?? throw new PromotionInputException("user", $"'{by}' is not a Cop user (cop users add)", 403);
        if (user.Role is not ("reviewer" or "admin"))
            throw new PromotionInputException("user", $"'{by}' is a {user.Role}: requests, votes and kill switches need a reviewer or an admin", 403);
    }
}
