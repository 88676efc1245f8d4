using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Tests.Infrastructure;
using Cop.Tests.Web;
using Microsoft.Playwright;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>
/// The promotion web UI in a real browser (Debian's chromium driven by Playwright) on Cop's web host
/// composed as `cop run` composes it, with the whole live path running on a real PostgreSQL: sign in,
/// run a backtest and watch its curve grow before the metrics appear, request a promotion, see the
/// automatic vote's checks, the requester refused, a viewer unable to vote, a second reviewer approve
/// with the checklist, and the model deployed: registry, audit, and the running service deciding the
/// next bars with it. Screenshots of every page go to TestResults/screenshots/.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PromotionBrowserTests(ITestOutputHelper output)
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data");
    private const string Candidate = "candidate_v2";

    public static string Screenshots
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cop.Actors.sln"))) dir = dir.Parent;
            var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    private static async Task<IBrowser> ChromiumAsync(IPlaywright playwright) => await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",   // Debian's; Playwright's own browser downloads do not work here
        Headless = true,
        Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    });

    private async Task<IPage> SignInAsync(IBrowser browser, CopWebServer web, string email, string page = "models.html")
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var p = await context.NewPageAsync();
        // The pages' own errors, in the test's output.
        p.PageError += (_, e) => output.WriteLine($"{email} page error: {e}");
        p.Console += (_, m) => { if (m.Type is "error" or "warning") output.WriteLine($"{email} console {m.Type}: {m.Text}"); };
        await p.GotoAsync(new Uri(web.Address, $"/ui/{page}").ToString());
        await p.FillAsync("#email", email);
        await p.FillAsync("#password", CopWebServer.Password);
        await p.ClickAsync("#sign-in");
        await Assertions.Expect(p.Locator("#me")).ToContainTextAsync(email);
        return p;
    }

    private async Task<long> IngestAsync(string cs, NpgsqlDataSource db, int days)
    {
        await using var bars = new BarStore(cs);
        var ingester = new BarIngester(bars, new QuarantineStore(db), Infrastructure.ShippedConfig.Settings().Validation, "test");
        var inserted = (await ingester.IngestFileAsync(Path.Combine(Fixtures, "usdcop_m5_2020h1.csv.gz"), DateTime.UtcNow, maxDays: days)).Inserted;
        output.WriteLine($"{inserted} bars ingested (first {days} days)");
        return inserted;
    }

    [Fact]
    public async Task Backtest_request_dual_vote_and_deploy_in_a_real_browser()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("browser");
        var settings = Infrastructure.ShippedConfig.Settings();
        await using var db = NpgsqlDataSource.Create(cs);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Path.Combine(Fixtures, "macro_indicators_daily_2019_2020.csv.gz")]);
        var registry = new ModelRegistryStore(db);
        var baseline = await ModelRegistration.RegisterBaselineAsync(registry, Path.Combine(Path.GetTempPath(), $"cop-models-{Guid.NewGuid():N}"), deploy: true);
        // The candidate: the same policy under another id, registered (not trading), staged 8 days ago so the 7-day rule holds.
        await registry.RegisterAsync(baseline with { ModelId = Candidate, Version = "2", Status = "registered",
            TrainingStart = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc) });
        await PromotionFixture.StagedAsync(cs, Candidate, 8);

        await using var web = await CopWebServer.StartAsync(cs, settings, actorFamilies: true, log: new TestLogger(output));
        Assert.Equal(1, await web.Runtime.Trading!.WaitForModelsAsync(1, TimeSpan.FromSeconds(20)));
        await web.AddUserAsync("ana@cop.test", "reviewer");
        await web.AddUserAsync("bo@cop.test", "reviewer");
        await web.AddUserAsync("vic@cop.test", "viewer");
        var first = await IngestAsync(cs, db, 30);
        await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n >= first, TimeSpan.FromSeconds(60),
            $"the baseline's {first} decisions");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await ChromiumAsync(playwright);
        var shots = Screenshots;

        // Ana signs in and runs a backtest of the candidate over the ingested days.
        var ana = await SignInAsync(browser, web, "ana@cop.test");
        await Assertions.Expect(ana.Locator($"tr[data-model='{BaselinePolicy.ModelId}'] td.status")).ToHaveTextAsync("deployed");
        await ana.GotoAsync(new Uri(web.Address, "/ui/backtest.html").ToString());
        await ana.SelectOptionAsync("#bt-model", Candidate);
        await ana.SelectOptionAsync("#bt-period", "custom");
        await ana.FillAsync("#bt-start", "2020-01-02");
        await ana.FillAsync("#bt-end", "2020-02-21");
        await ana.ClickAsync("#bt-run");
        await Assertions.Expect(ana.Locator("#bt-metrics-table tr[data-metric='sharpe'] td")).Not.ToBeEmptyAsync(new() { Timeout = 60_000 });
        var growth = await ana.EvaluateAsync<int[]>("window.copBacktest.growth");
        var atCompletion = await ana.EvaluateAsync<int>("window.copBacktest.pointsAtCompletion");
        output.WriteLine($"curve points as streamed: {growth.Length} updates, {growth.FirstOrDefault()} .. {growth.LastOrDefault()}; at completion {atCompletion}");
        Assert.True(growth.Length >= 20, $"the curve grew in {growth.Length} steps");
        Assert.Equal(Enumerable.Range(1, growth.Length), growth);          // one point more per streamed event
        Assert.Equal(growth[^1], atCompletion);                             // all drawn before the metrics appeared
        output.WriteLine($"live verdicts: {await Sql.ScalarAsync<string>(cs, "SELECT string_agg(risk_verdict || '=' || n, ', ') FROM (SELECT risk_verdict, count(*) n FROM trading.model_inferences GROUP BY 1) v")}; "
                         + $"backtest trades streamed: {await ana.EvaluateAsync<int>("window.copBacktest.trades")}");
        Assert.True(await ana.Locator("#bt-trades tr").CountAsync() > 0, "trades listed as they were filled");
        var backtestId = await Sql.ScalarAsync<Guid>(cs, "SELECT backtest_uuid FROM backtest_results WHERE model_id = @m", ("m", Candidate));
        await Assertions.Expect(ana.Locator($"#bt-past tr[data-backtest='{backtestId}']")).ToBeVisibleAsync();
        await ana.ScreenshotAsync(new() { Path = Path.Combine(shots, "backtest.png"), FullPage = true });

        // Ana requests production; the automatic vote is shown check by check (80 trades at most in 8 days: it fails).
        await ana.ClickAsync("#bt-promote");
        await Assertions.Expect(ana.Locator("#req-backtest")).ToHaveValueAsync(backtestId.ToString());
        await ana.SelectOptionAsync("#req-stage", "production");
        await ana.ClickAsync("#request");
        await Assertions.Expect(ana.Locator("#checks tr[data-check]")).ToHaveCountAsync(5);
        await Assertions.Expect(ana.Locator("#auto-status")).ToHaveTextAsync("failed");
        await Assertions.Expect(ana.Locator("#checks tr[data-check='min_trades'] td").Last).ToContainTextAsync("fail");
        await Assertions.Expect(ana.Locator("#checks tr[data-check='staging_days'] td").Last).ToContainTextAsync("pass");
        var requestId = await Sql.ScalarAsync<Guid>(cs, "SELECT request_uuid FROM promotion_requests WHERE model_id = @m", ("m", Candidate));
        // The requester cannot approve her own request.
        foreach (var box in new[] { "#check-equityCurveReviewed", "#check-tradeDistributionReviewed", "#check-teamNotified" }) await ana.CheckAsync(box);
        await ana.ClickAsync("#approve");
        await Assertions.Expect(ana.Locator("#vote-error")).ToContainTextAsync("four eyes");
        await ana.ScreenshotAsync(new() { Path = Path.Combine(shots, "promotion-requested.png"), FullPage = true });

        // A viewer looks but cannot vote: the buttons are disabled and the API answers 403.
        var vic = await SignInAsync(browser, web, "vic@cop.test", $"promotion.html?request={requestId}");
        await Assertions.Expect(vic.Locator("#approve")).ToBeDisabledAsync();
        var viewerVote = await vic.EvaluateAsync<int>($$"""
            async () => {
              const t = (await (await fetch('/api/auth/antiforgery')).json()).token;
              const r = await fetch('/api/promotions/{{requestId}}/vote', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': t },
                body: JSON.stringify({ decision: 'approve', equityCurveReviewed: true, tradeDistributionReviewed: true, teamNotified: true }) });
              return r.status;
            }
            """);
        Assert.Equal(403, viewerVote);
        Assert.Equal("pending", await Sql.ScalarAsync<string>(cs, "SELECT final_decision FROM promotion_requests WHERE request_uuid = @r", ("r", requestId)));

        // Bo approves: first without the whole checklist (refused, naming it), then with it.
        var bo = await SignInAsync(browser, web, "bo@cop.test", $"promotion.html?request={requestId}");
        await bo.CheckAsync("#check-equityCurveReviewed");
        await bo.ClickAsync("#approve");
        await Assertions.Expect(bo.Locator("#vote-error")).ToContainTextAsync("tradeDistributionReviewed");
        await bo.CheckAsync("#check-tradeDistributionReviewed");
        await bo.CheckAsync("#check-teamNotified");
        await bo.FillAsync("#vote-comment", "Few trades in 30 days; the curve and the fills look right. Override.");
        await bo.ClickAsync("#approve");
        await Assertions.Expect(bo.Locator("#final-decision")).ToHaveTextAsync("override_promoted");
        await Assertions.Expect(bo.Locator("#deploy-result")).ToContainTextAsync("staging → deployed");
        await bo.ScreenshotAsync(new() { Path = Path.Combine(shots, "promotion-approved.png"), FullPage = true });

        // Deployed in the registry, audited, and decided by the running service without a restart.
        Assert.Equal("deployed", await Sql.ScalarAsync<string>(cs, "SELECT status FROM model_registry WHERE model_id = @m", ("m", Candidate)));
        Assert.Equal("staging>deployed by bo@cop.test", await Sql.ScalarAsync<string>(cs,
            "SELECT from_stage || '>' || to_stage || ' by ' || promoted_by FROM ml.model_promotion_audit WHERE model_id = @m ORDER BY id DESC LIMIT 1", ("m", Candidate)));
        Assert.True(await Sql.ScalarAsync<bool>(cs, "SELECT promoted_at IS NOT NULL FROM promotion_requests WHERE request_uuid = @r", ("r", requestId)));
        Assert.Equal(2, await web.Runtime.Trading!.WaitForModelsAsync(2, TimeSpan.FromSeconds(30)));
        var deployedAt = await Sql.ScalarAsync<DateTime>(cs, "SELECT max(time) FROM usdcop_m5_ohlcv");
        var more = await IngestAsync(cs, db, 32);
        Assert.True(more > 0);
        var decided = await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences WHERE model_id = @m AND bar_time > @t",
            ("m", Candidate), ("t", deployedAt)), n => n >= more, TimeSpan.FromSeconds(60), $"the promoted model's decisions of the {more} new bars");
        Assert.Equal(more, decided);

        await bo.GotoAsync(new Uri(web.Address, "/ui/models.html").ToString());
        await Assertions.Expect(bo.Locator($"tr[data-model='{Candidate}'] td.status")).ToHaveTextAsync("deployed");
        await Assertions.Expect(bo.Locator($"tr[data-model='{Candidate}'] td.decisions")).Not.ToHaveTextAsync("0");
        await bo.ClickAsync($"tr[data-model='{Candidate}']");
        await Assertions.Expect(bo.Locator("#decisions tbody tr").First).ToBeVisibleAsync();
        await bo.ScreenshotAsync(new() { Path = Path.Combine(shots, "models.png"), FullPage = true });
        // The kill switch from the page: on (recorded in the registry, which the running service follows), then off.
        await bo.ClickAsync($"button[data-kill='{Candidate}']");
        await Assertions.Expect(bo.Locator($"button[data-kill='{Candidate}']")).ToHaveTextAsync("ON (turn off)");
        Assert.True(await Sql.ScalarAsync<bool>(cs, "SELECT kill_switch FROM model_registry WHERE model_id = @m", ("m", Candidate)));
        await bo.ClickAsync($"button[data-kill='{Candidate}']");
        await Assertions.Expect(bo.Locator($"button[data-kill='{Candidate}']")).ToHaveTextAsync("off (turn on)");
        Assert.False(await Sql.ScalarAsync<bool>(cs, "SELECT kill_switch FROM model_registry WHERE model_id = @m", ("m", Candidate)));
        await Assertions.Expect(vic.Locator("body")).ToBeVisibleAsync();
        await vic.GotoAsync(new Uri(web.Address, "/ui/models.html").ToString());
        await Assertions.Expect(vic.Locator($"tr[data-model='{Candidate}']")).ToBeVisibleAsync();
        Assert.Equal(0, await vic.Locator("button[data-kill]").CountAsync());   // a viewer has no kill-switch button
        await bo.GotoAsync(new Uri(web.Address, "/ui/audit.html").ToString());
        await Assertions.Expect(bo.Locator("#audit-body tr[data-action='stage']").First).ToContainTextAsync("staging -> deployed");
        foreach (var action in new[] { "request", "auto_vote", "manual_vote", "backtest", "kill_switch" })
            await Assertions.Expect(bo.Locator($"#audit-body tr[data-action='{action}']").First).ToBeVisibleAsync();
        await bo.ScreenshotAsync(new() { Path = Path.Combine(shots, "audit.png"), FullPage = true });
        output.WriteLine($"screenshots in {shots}");
    }
}
