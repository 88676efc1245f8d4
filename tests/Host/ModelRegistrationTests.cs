using Cop.Host.Application;
using Cop.Actors.Models;
using Cop.Host.Commands;
using Cop.Persistence.Stores;
using Cop.Tests.Infrastructure;
using Cop.Trading.Decisions;
using Cop.Trading.Features;
using Npgsql;

namespace Cop.Tests.Host;

[Collection(HostCollection.Name)]
public class ModelRegistrationTests
{
    [Fact]
    public async Task Registration_records_hashes_and_training_dates_and_refuses_what_breaks_the_contract()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("register");
        await using var db = NpgsqlDataSource.Create(cs);
        var registry = new ModelRegistryStore(db);
        var dir = Directory.CreateTempSubdirectory("cop-register-").FullName;
        var file = Path.Combine(dir, "policy.onnx");
        await File.WriteAllBytesAsync(file, BaselinePolicy.OnnxBytes());
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = new DateTime(2023, 12, 31, 0, 0, 0, DateTimeKind.Utc);

        var m = await ModelRegistration.RegisterAsync(registry, file, "p1", "7", BaselinePolicy.NormStats, FeatureNames.OrderHash, trainingStart: start, trainingEnd: end);
        var stored = Assert.Single(await registry.ListAsync());
        Assert.Equal((PolicySession.Sha256Of(file), BaselinePolicy.NormStats.Hash, "registered", start, end),
            (stored.FileSha256, stored.NormStatsHash, stored.Status, stored.TrainingStart, stored.TrainingEnd));
        Assert.Equal(m with { NormStatsJson = stored.NormStatsJson }, stored);   // JSONB may reformat the text

        Assert.Contains("another observation order", (await Assert.ThrowsAsync<ArgumentException>(() =>
            ModelRegistration.RegisterAsync(registry, file, "p2", "1", NormStats.Identity, new string('0', 64)))).Message);
        var wrongShape = Path.Combine(dir, "narrow.onnx");
        await File.WriteAllBytesAsync(wrongShape, OnnxWriter.LinearPolicy(new float[14, 3], new float[3]));
        Assert.Contains("expected [1,15]", (await Assert.ThrowsAsync<ModelRejectedException>(() =>
            ModelRegistration.RegisterAsync(registry, wrongShape, "p3", "1", NormStats.Identity, FeatureNames.OrderHash))).Message);
        Assert.Contains("unknown model", (await Assert.ThrowsAsync<ArgumentException>(() => registry.SetStatusAsync("nope", "deployed", "test"))).Message);
        Assert.Contains("is not one of", (await Assert.ThrowsAsync<ArgumentException>(() => registry.SetStatusAsync("p1", "live", "test"))).Message);
        Assert.Single(await registry.ListAsync());
        Directory.Delete(dir, true);
    }
}
