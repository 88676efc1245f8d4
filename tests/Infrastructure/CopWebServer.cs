using System.Net;
using System.Net.Http.Json;
using Akka.Hosting;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Host.Web;
using Cop.Persistence.Promotion;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cop.Tests.Infrastructure;

/// <summary>
/// Cop's web host composed as `cop run` composes it (AddAkka + AddCop, AddCopWeb, MapCopWeb) on a
/// free loopback port over a given database, with users made by the same code as `cop users add`.
/// <paramref name="actorFamilies"/> false: the actor system without its families (the API alone).
/// </summary>
public sealed class CopWebServer : IAsyncDisposable
{
    private CopWebServer(WebApplication app, CopRuntime runtime, string cs, Uri address)
    {
        App = app; Runtime = runtime; Cs = cs; Address = address;
        Db = NpgsqlDataSource.Create(cs);
    }

    public WebApplication App { get; }
    public CopRuntime Runtime { get; }
    public string Cs { get; }
    public Uri Address { get; }
    public NpgsqlDataSource Db { get; }

    public static async Task<CopWebServer> StartAsync(string cs, CopSettings? settings = null, bool actorFamilies = false,
        Microsoft.Extensions.Logging.ILogger? log = null)
    {
        settings ??= ShippedConfig.Settings();
        var runtime = new CopRuntime(new CopEnvironment
        {
            Settings = settings, ConnectionString = cs, ActorFamilies = actorFamilies,
            Log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
        });
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAkka($"web{Guid.NewGuid():N}"[..12], (akka, _) => akka.AddCop(runtime));
        builder.Services.AddCopWeb(settings, runtime);
        var app = builder.Build();
        app.MapCopWeb();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CopWebServer(app, runtime, cs, new Uri(address));
    }

    public const string Password = "correct horse battery";

    public async Task AddUserAsync(string email, string role) => await new UserAccounts(new UserStore(Db)).AddAsync(email, role, Password);

    /// <summary>An HTTP client with its own cookies, signed in as <paramref name="email"/> (null: anonymous),
    /// carrying the anti-forgery header unless told not to.</summary>
    public async Task<HttpClient> ClientAsync(string? email, bool csrf = true)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Address };
        async Task Token()
        {
            client.DefaultRequestHeaders.Remove(CopWeb.CsrfHeader);
            var t = await client.GetFromJsonAsync<CsrfToken>("/api/auth/antiforgery");
            if (csrf) client.DefaultRequestHeaders.Add(CopWeb.CsrfHeader, t!.Token);
        }
        if (email is null) { await Token(); return client; }
        client.DefaultRequestHeaders.Add(CopWeb.CsrfHeader, (await client.GetFromJsonAsync<CsrfToken>("/api/auth/antiforgery"))!.Token);
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        await Token();   // bound to the signed-in user
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Runtime.DisposeAsync();
        await Db.DisposeAsync();
    }
}
