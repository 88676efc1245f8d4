using System.Security.Claims;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Persistence.Promotion;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.FileProviders;

namespace Cop.Host.Web;

/// <summary>
/// The promotion web UI (issue 17; plan-v7 L4) in the `cop run` host, on the same port as /metrics
/// and /health: static pages under /ui (plain HTML and JS modules, uPlot served from Cop's own files),
/// a JSON API under /api described by OpenAPI at /api/openapi/v1.json. Cookie sign-in; viewers look,
/// reviewers (and admins) run backtests, request, vote and switch kill switches; every state change
/// carries an anti-forgery token.
/// </summary>
public static class CopWeb
{
    public const string Viewer = "viewer";
    public const string Reviewer = "reviewer";
    public const string CsrfHeader = "X-CSRF-TOKEN";

    /// <summary>The web UI's services. Call after AddAkka; pair with <see cref="MapCopWeb"/>.</summary>
    public static IServiceCollection AddCopWeb(this IServiceCollection services, CopSettings settings, CopRuntime runtime)
    {
        var promotion = PromotionSettings.From(settings.Hocon);
        services.AddSingleton(promotion);
        services.AddSingleton(new WebStores(runtime.Pooled));
        services.AddSingleton(sp => new PromotionService(sp.GetRequiredService<WebStores>().Promotions, sp.GetRequiredService<WebStores>().Users, promotion));
        services.AddSingleton(sp => new UserAccounts(sp.GetRequiredService<WebStores>().Users));
        services.AddSingleton(new BacktestGate(promotion.BacktestLimit));
        // The backtest engine on Cop's database (fast loop: the live rules without an actor per run).
        services.AddSingleton(_ => new BacktestService(settings, runtime.Environment.ConnectionString));
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "cop.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = promotion.SessionLifetime;
            o.SlidingExpiration = true;
            // An API answers 401/403; it never redirects to a login page.
            o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Viewer, p => p.RequireAuthenticatedUser().RequireRole("viewer", "reviewer", "admin"))
            .AddPolicy(Reviewer, p => p.RequireAuthenticatedUser().RequireRole("reviewer", "admin"));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "cop.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Cop promotion API";
            doc.Info.Description = "Models, backtests, the dual-vote promotion flow and its audit (plan-v7 L4). State changes need the "
                                   + $"cookie of POST /api/auth/login and the {CsrfHeader} header from GET /api/auth/antiforgery.";
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>The pages under /ui, the API under /api, the OpenAPI document.</summary>
    public static WebApplication MapCopWeb(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<PromotionSettings>().WebEnabled) return app;   // cop.web.enabled = off: /metrics and /health only
        app.UseAuthentication();
        app.UseAuthorization();
        var root = Path.Combine(AppContext.BaseDirectory, "web");
        if (Directory.Exists(root))
        {
            var files = new PhysicalFileProvider(root);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "/ui" });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files, RequestPath = "/ui",
                OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
            });
        }
        app.MapGet("/", () => Results.Redirect("/ui/")).ExcludeFromDescription();
        app.MapOpenApi("/api/openapi/{documentName}.json");
        var api = app.MapGroup("/api");
        AuthEndpoints.Map(api);
        ModelEndpoints.Map(api);
        BacktestEndpoints.Map(api);
        PromotionEndpoints.Map(api);
        return app;
    }

    /// <summary>The signed-in user's email (the name claim).</summary>
    public static string Email(this ClaimsPrincipal user) => user.Identity?.Name ?? throw new InvalidOperationException("no signed-in user");

    /// <summary>Checks the anti-forgery token of a state change (header X-CSRF-TOKEN against the cookie, bound to the user).</summary>
    public static RouteHandlerBuilder WithCsrf(this RouteHandlerBuilder b) => b.AddEndpointFilter(async (context, next) =>
    {
        var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
        try { await antiforgery.ValidateRequestAsync(context.HttpContext); }
        catch (AntiforgeryValidationException)
        {
            return Problem(new PromotionInputException(CsrfHeader, "anti-forgery token missing or invalid: GET /api/auth/antiforgery after signing in"));
        }
        return await next(context);
    }).ProducesProblem(StatusCodes.Status400BadRequest);

    /// <summary>A refusal as the API answers it: the status, and {field, error}.</summary>
    public static IResult Problem(PromotionInputException e) => Results.Json(new ApiError(e.Field, e.Message), statusCode: e.Status);

    /// <summary>Runs an action, answering a refusal as <see cref="Problem"/>.</summary>
    public static async Task<IResult> Guarded(Func<Task<IResult>> action)
    {
        try { return await action(); }
        catch (PromotionInputException e) { return Problem(e); }
    }
}

/// <summary>An API error: the field at fault and the whole sentence ("field: why").</summary>
public sealed record ApiError(string Field, string Error);

/// <summary>The stores the web API reads and writes, on the service's pooled connections.</summary>
public sealed class WebStores(Npgsql.NpgsqlDataSource db)
{
    public PromotionStore Promotions { get; } = new(db);
    public UserStore Users { get; } = new(db);
    public ModelOverviewStore Models { get; } = new(db);
    public Npgsql.NpgsqlDataSource Db => db;
}

/// <summary>At most cop.web.backtest-limit backtests run from the web at once.</summary>
public sealed class BacktestGate(int limit)
{
    private readonly SemaphoreSlim _slots = new(limit, limit);
    public bool TryEnter() => _slots.Wait(0);
    public void Exit() => _slots.Release();
}
