using Akka.Actor;
using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Host.Configuration;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Npgsql;

namespace Cop.Tests.Infrastructure;

/// <summary>The live path on one database as `cop run` composes it (without the macro schedule and
/// the poller): the 2020 macro seeded, the baseline deployed; bars come from the bundled 2020
/// sample through the real INSERT path. For the replay, projection and chaos tests.</summary>
public sealed class LivePath : IAsyncDisposable
{
    public static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data");
    public static string BarFile => Path.Combine(Fixtures, "usdcop_m5_2020h1.csv.gz");
    public required string Cs { get; init; }
    public required CopSettings Settings { get; init; }
    public required NpgsqlDataSource Db { get; init; }
    public CopApplication? App { get; private set; }
    public ActorSystem System => App!.System;

    public static async Task<LivePath> StartAsync(string cs, CopSettings settings, TestLogger log, Func<CopEnvironment, CopEnvironment>? environment = null)
    {
        var db = NpgsqlDataSource.Create(cs);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Path.Combine(Fixtures, "macro_indicators_daily_2019_2020.csv.gz")]);
        await ModelRegistration.RegisterBaselineAsync(new ModelRegistryStore(db), Path.Combine(Path.GetTempPath(), $"cop-models-{Guid.NewGuid():N}"), deploy: true);
        var path = new LivePath { Cs = cs, Settings = settings, Db = db };
        var env = new CopEnvironment { Settings = settings, ConnectionString = cs, Log = log };
        path.App = await CopApplication.StartAsync(environment?.Invoke(env) ?? env, "path");
        Assert.Equal(1, await path.App.Runtime.Trading!.WaitForModelsAsync(1, TimeSpan.FromSeconds(20)));
        return path;
    }

    /// <summary>The sample's first <paramref name="maxDays"/> days; returns the bars newly stored.</summary>
    public async Task<long> IngestAsync(int maxDays)
    {
        await using var bars = new BarStore(Cs);
        var ingester = new BarIngester(bars, new QuarantineStore(Db), Settings.Validation, "test");
        return (await ingester.IngestFileAsync(BarFile, DateTime.UtcNow, maxDays: maxDays)).Inserted;
    }

    public Task<long> DecidedAsync(long expected, TimeSpan? within = null) =>
        Eventually.Read(() => Sql.ScalarAsync<long>(Cs, "SELECT count(*) FROM trading.model_inferences"), n => n >= expected,
            within ?? TimeSpan.FromSeconds(90), $"{expected} decisions");

    /// <summary>The running model's own account (asked, not read from a table).</summary>
    public async Task<DeployedModel.AccountState> AccountAsync(string modelId = BaselinePolicy.ModelId) =>
        await (await System.ActorSelection($"/user/models/{modelId}/model").ResolveOne(TimeSpan.FromSeconds(5)))
            .Ask<DeployedModel.AccountState>(new DeployedModel.GetAccount(), TimeSpan.FromSeconds(5));

    /// <summary>Stops the application (CoordinatedShutdown, as `cop run` stops); the database stays.</summary>
    public async Task StopAsync()
    {
        if (App is null) return;
        await App.DisposeAsync();
        App = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { await Db.DisposeAsync(); } catch (Exception) { }
    }
}
