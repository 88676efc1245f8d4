using System.Security.Claims;
using Cop.Host.Application;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cop.Host.Web;

/// <summary>The signed-in user, as GET /api/auth/me answers.</summary>
public sealed record Me(string Email, string Role);

/// <summary>An anti-forgery request token for the X-CSRF-TOKEN header.</summary>
public sealed record CsrfToken(string Token, string Header);

/// <summary>Sign-in with a cookie, sign-out, who am I, and the anti-forgery token.</summary>
public static class AuthEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("auth");
        // The token is bound to the user: fetch it again after signing in or out.
        auth.MapGet("/antiforgery", (HttpContext http, IAntiforgery af) =>
            TypedResults.Ok(new CsrfToken(af.GetAndStoreTokens(http).RequestToken!, CopWeb.CsrfHeader)));
        auth.MapPost("/login", (HttpContext http, UserAccounts accounts) => CopWeb.Guarded(async () =>
        {
            var body = await ApiBodies.ReadAsync<LoginBody>(http.Request);
            if (string.IsNullOrWhiteSpace(body.Email)) throw new PromotionInputException("email", "is required");
            if (string.IsNullOrEmpty(body.Password)) throw new PromotionInputException("password", "is required");
            var user = await accounts.SignInAsync(body.Email, body.Password, http.RequestAborted)
                       ?? throw new PromotionInputException("password", "unknown email or wrong password", 401);
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Email), new Claim(ClaimTypes.Role, user.Role)],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.Ok(new Me(user.Email, user.Role));
        })).WithCsrf().Accepts<LoginBody>("application/json").Produces<Me>().ProducesProblem(401);
        auth.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).WithCsrf().RequireAuthorization(CopWeb.Viewer);
        auth.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new Me(user.Email(), user.FindFirstValue(ClaimTypes.Role) ?? "")))
            .RequireAuthorization(CopWeb.Viewer);
    }
}
