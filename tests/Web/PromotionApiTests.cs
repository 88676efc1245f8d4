using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cop.Host.Web;
using Cop.Tests.Host;
using Cop.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cop.Tests.Web;

/// <summary>The promotion API over real HTTP on a real PostgreSQL: the automatic vote at every
/// threshold edge, the 7-day staging rule, four eyes, the checklist, the deploy transaction, bad
/// inputs (400 naming the field, nothing changed), 401/403, anti-forgery, the audit and OpenAPI.</summary>
/// <remarks>One web host and database for the class (each test uses models of its own).</remarks>
[Collection(HostCollection.Name)]
public sealed class PromotionApiTests(PromotionApiTests.Server server) : IClassFixture<PromotionApiTests.Server>
{
    public sealed class Server : IAsyncLifetime
    {
        public CopWebServer Web { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Web = await CopWebServer.StartAsync(await SharedPostgres.NewDatabaseAsync("promoapi"));
            await Web.AddUserAsync("ana@cop.test", "reviewer");
            await Web.AddUserAsync("bo@cop.test", "reviewer");
            await Web.AddUserAsync("carla@cop.test", "admin");
            await Web.AddUserAsync("vic@cop.test", "viewer");
        }

        public async Task DisposeAsync() => await Web.DisposeAsync();
    }

    private readonly CopWebServer _web = server.Web;
    private string Cs => _web.Cs;

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    private async Task<(HttpStatusCode Status, JsonElement Body)> RequestAsync(HttpClient c, string model, Guid backtest, string stage, bool retire = false)
    {
        var r = await c.PostAsJsonAsync("/api/promotions", new { modelId = model, backtestId = backtest.ToString(), targetStage = stage, retirePrevious = retire });
        return (r.StatusCode, await Json(r));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> VoteAsync(HttpClient c, string request, string decision, bool all = true, string? comment = null)
    {
        var r = await c.PostAsJsonAsync($"/api/promotions/{request}/vote",
            new { decision, equityCurveReviewed = all, tradeDistributionReviewed = all, teamNotified = all, comment });
        return (r.StatusCode, await Json(r));
    }

    private static Dictionary<string, JsonElement> Checks(JsonElement request) =>
        request.GetProperty("autoVote").GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);

    [Theory]
    [InlineData(0.5, 0.45, -0.15, 50, null)]        // exactly at every threshold: passes
    [InlineData(0.4999, 0.45, -0.15, 50, "sharpe")]
    [InlineData(0.5, 0.4499, -0.15, 50, "win_rate")]
    [InlineData(0.5, 0.45, -0.1501, 50, "max_drawdown")]
    [InlineData(0.5, 0.45, -0.15, 49, "min_trades")]
    public async Task Staging_automatic_vote_at_each_threshold_edge(double sharpe, double win, double dd, int trades, string? failing)
    {
        var model = $"edge_s_{Guid.NewGuid():N}"[..20];
        await PromotionFixture.RegisterAsync(Cs, model);
        var bt = await PromotionFixture.BacktestAsync(Cs, model, sharpe, win, dd, trades);
        using var ana = await _web.ClientAsync("ana@cop.test");
        var (status, body) = await RequestAsync(ana, model, bt, "staging");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(failing is null ? "passed" : "failed", body.GetProperty("autoVoteStatus").GetString());
        var checks = Checks(body);
        Assert.Equal(["sharpe", "win_rate", "max_drawdown", "min_trades"], checks.Keys);
        Assert.Equal(failing is null ? [] : [failing], checks.Where(c => !c.Value.GetProperty("passed").GetBoolean()).Select(c => c.Key));
        Assert.Equal(dd, checks["max_drawdown"].GetProperty("value").GetDouble(), 9);
        Assert.Equal(-0.15, checks["max_drawdown"].GetProperty("threshold").GetDouble());
        Assert.Equal("pending", body.GetProperty("finalDecision").GetString());
    }

    [Theory]
    [InlineData(1.0, 0.50, -0.10, 100, 7.01, null)]     // at every metric threshold, just past 7 days in staging
    [InlineData(1.0, 0.50, -0.10, 100, 6.99, "staging_days")]
    [InlineData(0.9999, 0.50, -0.10, 100, 30, "sharpe")]
    [InlineData(1.0, 0.4999, -0.10, 100, 30, "win_rate")]
    [InlineData(1.0, 0.50, -0.1001, 100, 30, "max_drawdown")]
    [InlineData(1.0, 0.50, -0.10, 99, 30, "min_trades")]
    [InlineData(1.0, 0.50, -0.10, 100, -1, "staging_days")]   // never staged
    public async Task Production_automatic_vote_at_each_edge_and_the_seven_day_staging_rule(double sharpe, double win, double dd, int trades, double stagedDaysAgo,
        string? failing)
    {
        var model = $"edge_p_{Guid.NewGuid():N}"[..20];
        await PromotionFixture.RegisterAsync(Cs, model);
        if (stagedDaysAgo >= 0) await PromotionFixture.StagedAsync(Cs, model, stagedDaysAgo);
        var bt = await PromotionFixture.BacktestAsync(Cs, model, sharpe, win, dd, trades);
        using var ana = await _web.ClientAsync("ana@cop.test");
        var (status, body) = await RequestAsync(ana, model, bt, "production");
        Assert.Equal(HttpStatusCode.Created, status);
        var checks = Checks(body);
        Assert.Equal(["sharpe", "win_rate", "max_drawdown", "min_trades", "staging_days"], checks.Keys);
        Assert.Equal(failing is null ? [] : [failing], checks.Where(c => !c.Value.GetProperty("passed").GetBoolean()).Select(c => c.Key));
        Assert.Equal(failing is null ? "passed" : "failed", body.GetProperty("autoVoteStatus").GetString());
        Assert.Equal(7, checks["staging_days"].GetProperty("threshold").GetDouble());
        Assert.Equal(Math.Max(0, stagedDaysAgo), checks["staging_days"].GetProperty("value").GetDouble(), 2);
    }

    [Fact]
    public async Task Approval_by_a_second_reviewer_deploys_in_one_transaction_and_four_eyes_hold()
    {
        const string model = "flow_promoted";
        await PromotionFixture.RegisterAsync(Cs, model, trainingStart: new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc));
        // Feature rows from before and after the training start, one already claimed by another model.
        await Sql.ExecAsync(Cs, """
            INSERT INTO inference_features_5m (symbol, time, model_id) VALUES
              ('USD/COP', '2023-12-29 13:00+00', NULL), ('USD/COP', '2024-01-02 13:00+00', NULL), ('USD/COP', '2024-01-02 13:05+00', NULL),
              ('USD/COP', '2024-01-02 13:10+00', 'someone_else')
            """);
        var bt = await PromotionFixture.BacktestAsync(Cs, model, 0.8, 0.5, -0.05, 60);
        using var ana = await _web.ClientAsync("ana@cop.test");
        using var bo = await _web.ClientAsync("bo@cop.test");
        var (_, request) = await RequestAsync(ana, model, bt, "staging");
        var id = request.GetProperty("requestId").GetString()!;
        Assert.Equal("passed", request.GetProperty("autoVoteStatus").GetString());

        // The requester cannot vote on their own request; a checklist item missing is named.
        var before = await PromotionFixture.SnapshotAsync(Cs);
        var (own, ownBody) = await VoteAsync(ana, id, "approve");
        Assert.Equal(HttpStatusCode.Forbidden, own);
        Assert.Equal("voter", ownBody.GetProperty("field").GetString());
        var partial = await bo.PostAsJsonAsync($"/api/promotions/{id}/vote", new { decision = "approve", equityCurveReviewed = true, tradeDistributionReviewed = true });
        Assert.Equal(HttpStatusCode.BadRequest, partial.StatusCode);
        Assert.Equal("teamNotified", (await Json(partial)).GetProperty("field").GetString());
        Assert.Equal(before, await PromotionFixture.SnapshotAsync(Cs));

        var (ok, voted) = await VoteAsync(bo, id, "approve", comment: "good on the test period");
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal("promoted", voted.GetProperty("request").GetProperty("finalDecision").GetString());
        Assert.Equal("bo@cop.test", voted.GetProperty("request").GetProperty("manualVoteBy").GetString());
        Assert.Equal(2, voted.GetProperty("deploy").GetProperty("featureRowsMarked").GetInt32());
        Assert.Equal("staging", await Sql.ScalarAsync<string>(Cs, "SELECT status FROM model_registry WHERE model_id = @m", ("m", model)));
        Assert.True(await Sql.ScalarAsync<bool>(Cs, "SELECT deployed_at IS NOT NULL FROM model_registry WHERE model_id = @m", ("m", model)));
        Assert.True(await Sql.ScalarAsync<bool>(Cs, "SELECT promoted_at IS NOT NULL AND checklist_team_notified FROM promotion_requests WHERE request_uuid = @r::uuid", ("r", id)));
        Assert.Equal("registered>staging by bo@cop.test", await Sql.ScalarAsync<string>(Cs,
            "SELECT from_stage || '>' || to_stage || ' by ' || promoted_by FROM ml.model_promotion_audit WHERE model_id = @m", ("m", model)));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM inference_features_5m WHERE model_id = @m", ("m", model)));
        // A second vote on a decided request is refused, and changes nothing.
        before = await PromotionFixture.SnapshotAsync(Cs);
        using var carla = await _web.ClientAsync("carla@cop.test");
        var (again, againBody) = await VoteAsync(carla, id, "reject");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("requestId", againBody.GetProperty("field").GetString());
        Assert.Equal(before, await PromotionFixture.SnapshotAsync(Cs));
    }

    [Fact]
    public async Task A_failed_automatic_vote_approved_is_override_promoted_and_a_rejection_deploys_nothing()
    {
        await PromotionFixture.RegisterAsync(Cs, "flow_override");
        await PromotionFixture.RegisterAsync(Cs, "flow_rejected");
        using var ana = await _web.ClientAsync("ana@cop.test");
        using var carla = await _web.ClientAsync("carla@cop.test");   // an admin votes like a reviewer
        var (_, weak) = await RequestAsync(ana, "flow_override", await PromotionFixture.BacktestAsync(Cs, "flow_override", 0.1, 0.3, -0.4, 5), "staging");
        Assert.Equal("failed", weak.GetProperty("autoVoteStatus").GetString());
        var (_, voted) = await VoteAsync(carla, weak.GetProperty("requestId").GetString()!, "approve");
        Assert.Equal("override_promoted", voted.GetProperty("request").GetProperty("finalDecision").GetString());
        Assert.Equal("staging", await Sql.ScalarAsync<string>(Cs, "SELECT status FROM model_registry WHERE model_id = 'flow_override'"));

        var (_, good) = await RequestAsync(ana, "flow_rejected", await PromotionFixture.BacktestAsync(Cs, "flow_rejected", 2, 0.6, -0.02, 500), "staging");
        var (_, rejected) = await VoteAsync(carla, good.GetProperty("requestId").GetString()!, "reject", all: false, comment: "not this quarter");
        Assert.Equal("rejected", rejected.GetProperty("request").GetProperty("finalDecision").GetString());
        Assert.Equal(JsonValueKind.Null, rejected.GetProperty("deploy").ValueKind);
        Assert.Equal("registered", await Sql.ScalarAsync<string>(Cs, "SELECT status FROM model_registry WHERE model_id = 'flow_rejected'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM ml.model_promotion_audit WHERE model_id = 'flow_rejected'"));
    }

    [Fact]
    public async Task Production_retires_the_experiments_previous_model_only_when_the_request_says_so()
    {
        await PromotionFixture.RegisterAsync(Cs, "exp_a_old", "deployed", experiment: "exp_a");
        await PromotionFixture.RegisterAsync(Cs, "exp_b_live", "deployed", experiment: "exp_b");
        await PromotionFixture.RegisterAsync(Cs, "exp_a_new1", experiment: "exp_a");
        await PromotionFixture.RegisterAsync(Cs, "exp_a_new2", experiment: "exp_a");
        using var ana = await _web.ClientAsync("ana@cop.test");
        using var bo = await _web.ClientAsync("bo@cop.test");
        foreach (var m in new[] { "exp_a_new1", "exp_a_new2" }) await PromotionFixture.StagedAsync(Cs, m, 8);

        var (_, keep) = await RequestAsync(ana, "exp_a_new1", await PromotionFixture.BacktestAsync(Cs, "exp_a_new1", 1.5, 0.55, -0.05, 150), "production");
        var (_, v1) = await VoteAsync(bo, keep.GetProperty("requestId").GetString()!, "approve");
        Assert.Equal("promoted", v1.GetProperty("request").GetProperty("finalDecision").GetString());
        Assert.Empty(v1.GetProperty("deploy").GetProperty("retired").EnumerateArray());
        Assert.Equal("deployed", await Sql.ScalarAsync<string>(Cs, "SELECT status FROM model_registry WHERE model_id = 'exp_a_old'"));

        var (_, retire) = await RequestAsync(ana, "exp_a_new2", await PromotionFixture.BacktestAsync(Cs, "exp_a_new2", 1.5, 0.55, -0.05, 150), "production", retire: true);
        var (_, v2) = await VoteAsync(bo, retire.GetProperty("requestId").GetString()!, "approve");
        Assert.Equal(["exp_a_new1", "exp_a_old"], v2.GetProperty("deploy").GetProperty("retired").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.Equal("deployed,exp_b_live|deployed,exp_a_new2|retired,exp_a_old|retired,exp_a_new1", await Sql.ScalarAsync<string>(Cs, """
            SELECT string_agg(status || ',' || model_id, '|' ORDER BY status, model_id DESC) FROM model_registry WHERE experiment_name IN ('exp_a', 'exp_b')
            """));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM ml.model_promotion_audit WHERE to_stage = 'retired' AND promoted_by = 'bo@cop.test'"));
    }

    [Fact]
    public async Task Bad_inputs_are_400_naming_the_field_and_change_nothing()
    {
        await PromotionFixture.RegisterAsync(Cs, "bad_a");
        await PromotionFixture.RegisterAsync(Cs, "bad_b");
        var ofB = await PromotionFixture.BacktestAsync(Cs, "bad_b", 1, 0.5, -0.1, 100);
        using var ana = await _web.ClientAsync("ana@cop.test");
        var before = await PromotionFixture.SnapshotAsync(Cs);
        async Task Refused(string path, object body, string field, HttpStatusCode status = HttpStatusCode.BadRequest)
        {
            var r = await ana.PostAsJsonAsync(path, body);
            var json = await Json(r);
            Assert.True(status == r.StatusCode, $"{path} {JsonSerializer.Serialize(body)}: {r.StatusCode} {json}");
            Assert.Equal(field, json.GetProperty("field").GetString());
            Assert.StartsWith($"{field}: ", json.GetProperty("error").GetString());
        }
        await Refused("/api/promotions", new { modelId = "no_such_model", backtestId = ofB.ToString(), targetStage = "staging" }, "modelId");
        await Refused("/api/promotions", new { modelId = "bad_a", backtestId = ofB.ToString(), targetStage = "staging" }, "backtestId");   // a backtest of another model
        await Refused("/api/promotions", new { modelId = "bad_a", backtestId = Guid.NewGuid().ToString(), targetStage = "staging" }, "backtestId");
        await Refused("/api/promotions", new { modelId = "bad_b", backtestId = "not-a-uuid", targetStage = "staging" }, "backtestId");
        await Refused("/api/promotions", new { modelId = "bad_b", backtestId = ofB.ToString(), targetStage = "prod" }, "targetStage");
        await Refused("/api/promotions", new { modelId = "bad_b", backtestId = ofB.ToString(), targetStage = "staging", retirePrevious = true }, "retirePrevious");
        await Refused("/api/promotions", new { modelId = "", backtestId = ofB.ToString(), targetStage = "staging" }, "modelId");
        await Refused("/api/promotions", new { modelId = "bad_b", backtestId = ofB.ToString(), targetStage = "staging", retirePrevious = "yes" }, "retirePrevious");
        await Refused($"/api/promotions/{Guid.NewGuid()}/vote", new { decision = "approve" }, "requestId", HttpStatusCode.NotFound);
        await Refused("/api/promotions/xyz/vote", new { decision = "approve" }, "requestId");
        await Refused($"/api/promotions/{Guid.NewGuid()}/vote", new { decision = "maybe" }, "decision");
        await Refused("/api/models/no_such_model/kill-switch", new { on = true }, "modelId");
        await Refused("/api/models/bad_a/kill-switch", new { }, "on");
        await Refused("/api/backtests", new { modelId = "bad_a", period = "custom", start = "2025-03-01", end = "2025-02-01" }, "end");
        await Refused("/api/backtests", new { modelId = "no_such_model", period = "test" }, "modelId");
        await Refused("/api/backtests", new { modelId = "bad_a", period = "custom", start = "2025-02-30", end = "2025-03-01" }, "start");
        await Refused("/api/backtests", new { modelId = "bad_a", period = "last-week" }, "period");
        var notJson = await ana.PostAsync("/api/promotions", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(before, await PromotionFixture.SnapshotAsync(Cs));
    }

    [Fact]
    public async Task Unauthenticated_calls_get_401_viewers_403_and_a_missing_antiforgery_token_400_and_none_changes_anything()
    {
        await PromotionFixture.RegisterAsync(Cs, "sec_model");
        var bt = await PromotionFixture.BacktestAsync(Cs, "sec_model", 1, 0.5, -0.1, 100);
        using var ana = await _web.ClientAsync("ana@cop.test");
        var (_, request) = await RequestAsync(ana, "sec_model", bt, "staging");
        var id = request.GetProperty("requestId").GetString()!;
        var before = await PromotionFixture.SnapshotAsync(Cs);
        var promote = new { modelId = "sec_model", backtestId = bt.ToString(), targetStage = "staging" };
        var vote = new { decision = "approve", equityCurveReviewed = true, tradeDistributionReviewed = true, teamNotified = true };

        using var anonymous = await _web.ClientAsync(null);
        foreach (var get in new[] { "/api/models", "/api/promotions", "/api/audit", "/api/backtests", $"/api/promotions/{id}", "/api/auth/me" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(get)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/promotions", promote)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync($"/api/promotions/{id}/vote", vote)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/models/sec_model/kill-switch", new { on = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/login", new { email = "ana@cop.test", password = "wrong password!" })).StatusCode);

        using var viewer = await _web.ClientAsync("vic@cop.test");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/models")).StatusCode);   // viewers look
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/promotions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/promotions", promote)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/promotions/{id}/vote", vote)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/models/sec_model/kill-switch", new { on = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/backtests", new { modelId = "sec_model", period = "test" })).StatusCode);

        using var noToken = await _web.ClientAsync("bo@cop.test", csrf: false);
        var forged = await noToken.PostAsJsonAsync($"/api/promotions/{id}/vote", vote);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(CopWeb.CsrfHeader, (await Json(forged)).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await noToken.PostAsJsonAsync("/api/models/sec_model/kill-switch", new { on = true })).StatusCode);
        Assert.Equal(before, await PromotionFixture.SnapshotAsync(Cs));
    }

    [Fact]
    public async Task The_audit_lists_every_request_vote_deploy_and_kill_switch_change_with_who()
    {
        await PromotionFixture.RegisterAsync(Cs, "audit_model");
        using var ana = await _web.ClientAsync("ana@cop.test");
        using var bo = await _web.ClientAsync("bo@cop.test");
        var (_, request) = await RequestAsync(ana, "audit_model", await PromotionFixture.BacktestAsync(Cs, "audit_model", 1, 0.5, -0.1, 100), "staging");
        var id = request.GetProperty("requestId").GetString()!;
        await VoteAsync(bo, id, "approve", comment: "ok");
        Assert.Equal(HttpStatusCode.NoContent, (await bo.PostAsJsonAsync("/api/models/audit_model/kill-switch", new { on = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ana.PostAsJsonAsync("/api/models/audit_model/kill-switch", new { on = false })).StatusCode);

        var audit = (await bo.GetFromJsonAsync<JsonElement>("/api/audit")).EnumerateArray()
            .Where(a => a.GetProperty("modelId").GetString() == "audit_model")
            .Select(a => $"{a.GetProperty("action").GetString()} by {a.GetProperty("actor").GetString()}").Reverse().ToList();
        Assert.Equal(["request by ana@cop.test", "auto_vote by cop", "manual_vote by bo@cop.test", "stage by bo@cop.test",
            "kill_switch by bo@cop.test", "kill_switch by ana@cop.test"], audit);
        Assert.False(await Sql.ScalarAsync<bool>(Cs, "SELECT kill_switch FROM model_registry WHERE model_id = 'audit_model'"));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_api_route()
    {
        using var viewer = await _web.ClientAsync("vic@cop.test");
        var doc = await viewer.GetFromJsonAsync<JsonElement>("/api/openapi/v1.json");
        var documented = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name.TrimEnd('/')}")).ToHashSet();
        var routes = _web.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/") && !e.RoutePattern.RawText.StartsWith("/api/openapi"))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToHashSet();
        Assert.True(routes.Count >= 14, string.Join(", ", routes));
        Assert.Empty(routes.Except(documented));
        Assert.Contains("POST /api/promotions/{requestId}/vote", documented);
    }
}
