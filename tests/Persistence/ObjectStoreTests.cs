using System.Security.Cryptography;
using Cop.Persistence.Learning;
using Cop.Persistence.Objects;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Cop.Trading.Features;
using Cop.Trading.Learning;

namespace Cop.Tests.Persistence;

/// <summary>
/// The object store, both kinds behind one interface: a local folder, and an S3 bucket on a real
/// S3-protocol server (s3rver on loopback, <see cref="S3rverFixture"/>). A dataset file and an
/// arbitrary model file go in and come back byte for byte, listing finds them by prefix, and a
/// missing key is one clear error naming the key.
/// </summary>
public class ObjectStoreTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cop-objects-{Guid.NewGuid():N}")).FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private IObjectStore Open(string kind) => kind == "s3" ? new S3ObjectStore(s3.Settings) : new LocalObjectStore(Path.Combine(_dir, "store"));

    [Theory]
    [InlineData("local")]
    [InlineData("s3")]
    public async Task A_dataset_and_a_model_go_in_and_come_back_byte_for_byte(string kind)
    {
        var store = Open(kind);
        var experiment = $"exp-{Guid.NewGuid():N}"[..16];
        var dataset = Path.Combine(_dir, "dataset.parquet");
        var sha = await DatasetFile.WriteAsync(dataset, SmallDataset(experiment));
        var model = Path.Combine(_dir, "model.onnx");
        var bytes = RandomNumberGenerator.GetBytes(300_000);   // bigger than one socket buffer, any byte values
        await File.WriteAllBytesAsync(model, bytes);

        var datasetKey = ObjectKeys.Dataset(experiment, "v1");
        var modelKey = ObjectKeys.ModelFolder(experiment, "v1") + "policy.onnx";
        await store.PutFileAsync(datasetKey, dataset);
        await store.PutFileAsync(modelKey, model);

        var back = Path.Combine(_dir, "back");
        await store.GetFileAsync(datasetKey, Path.Combine(back, "dataset.parquet"));
        await store.GetFileAsync(modelKey, Path.Combine(back, "policy.onnx"));
        Assert.Equal(await File.ReadAllBytesAsync(dataset), await File.ReadAllBytesAsync(Path.Combine(back, "dataset.parquet")));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(back, "policy.onnx")));
        var read = await DatasetFile.ReadAsync(Path.Combine(back, "dataset.parquet"));
        Assert.Equal(sha, read.Sha256);
        Assert.Equal(3, read.Train.Count);

        Assert.Equal([new StoredObject(datasetKey, new FileInfo(dataset).Length)], await store.ListAsync($"ml-datasets/{experiment}/"));
        Assert.Equal([new StoredObject(modelKey, bytes.Length)], await store.ListAsync($"ml-models/{experiment}/"));
        Assert.Empty(await store.ListAsync($"ml-models/{experiment}-other/"));
        Assert.EndsWith(datasetKey, store.Location(datasetKey));
        if (kind == "s3") Assert.Equal($"s3://{S3rverFixture.Bucket}/{datasetKey}", store.Location(datasetKey));

        var missing = ObjectKeys.ModelFolder(experiment, "v2") + "policy.onnx";
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => store.GetFileAsync(missing, Path.Combine(back, "nothing.onnx")));
        Assert.Contains($"object {missing} is not in the object store", e.Message);
        Assert.False(File.Exists(Path.Combine(back, "nothing.onnx")));
        (store as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task A_bucket_that_does_not_exist_and_refused_credentials_are_named()
    {
        using var noBucket = new S3ObjectStore(s3.Settings with { Bucket = "no-such-bucket" });
        var file = Path.Combine(_dir, "f.bin");
        await File.WriteAllBytesAsync(file, [1, 2, 3]);
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => noBucket.GetFileAsync("ml-models/x/v/f.bin", Path.Combine(_dir, "g.bin")));
        Assert.Contains("no-such-bucket", e.Message);

        using var closed = new S3ObjectStore(s3.Settings with { Endpoint = $"http://127.0.0.1:{Cop.Persistence.Servers.ProcessRunner.FreeLoopbackPort()}" });
        var down = await Assert.ThrowsAsync<IOException>(() => closed.PutFileAsync("ml-models/x/v/f.bin", file));
        Assert.Contains("unreachable", down.Message);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("..")]
    public void A_name_that_is_not_one_folder_is_refused(string name) =>
        Assert.Contains("must be letters, digits", Assert.Throws<ArgumentException>(() => ObjectKeys.Dataset(name, "v1")).Message);

    /// <summary>Three learnable rows per split on trading days, two days of embargo between splits.</summary>
    internal static LearningDataset SmallDataset(string experiment)
    {
        var plan = SplitPlan.Checked(new SplitRange(DatasetSplit.Train, new(2024, 1, 2), new(2024, 1, 3)),
            new SplitRange(DatasetSplit.Validation, new(2024, 1, 8), new(2024, 1, 9)),
            new SplitRange(DatasetSplit.Test, new(2024, 1, 12), new(2024, 1, 12)), 1);
        DatasetRow Row(DateOnly day, int i)
        {
            var time = TradingSession.BogotaMidnightUtc(day).AddHours(8).AddMinutes(5 * i);
            var raw = FeatureNames.Ordered.Select((_, k) => (double?)(k == FeatureNames.Position ? 0 : day.DayNumber % 7 + k * 0.1 + i)).ToArray();
            return new DatasetRow(new FeatureSnapshot("USD/COP", time, raw, 4000 + i, day.AddDays(-1)), 3999 + i, 4001 + i, 3998 + i);
        }
        IEnumerable<DatasetRow> Day(DateOnly d) => Enumerable.Range(0, 3).Select(i => Row(d, i));
        return LearningDataset.Assemble(experiment, "USD/COP", plan, [.. Day(new(2024, 1, 2)), .. Day(new(2024, 1, 8)), .. Day(new(2024, 1, 12))]);
    }
}
