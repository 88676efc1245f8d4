using Cop.Persistence.Learning;
using Cop.Persistence.Macro;

namespace Cop.Tests.Persistence;

/// <summary>A dataset file read back, and files that are not one refused by name.</summary>
public class DatasetFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cop-dsfile-{Guid.NewGuid():N}")).FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task Written_twice_the_file_is_byte_identical_and_reads_back_whole()
    {
        var dataset = ObjectStoreTests.SmallDataset("small");
        var a = Path.Combine(_dir, "a.parquet");
        var b = Path.Combine(_dir, "b.parquet");
        var sha = await DatasetFile.WriteAsync(a, dataset);
        Assert.Equal(sha, await DatasetFile.WriteAsync(b, dataset));
        Assert.Equal(await File.ReadAllBytesAsync(a), await File.ReadAllBytesAsync(b));

        var read = await DatasetFile.ReadAsync(a);
        Assert.Equal((dataset.Experiment, dataset.Symbol, dataset.Plan, dataset.NormStats.Hash, sha),
            (read.Experiment, read.Symbol, read.Plan, read.NormStats.Hash, read.Sha256));
        Assert.Equal(dataset.Test.Select(r => (r.Time, r.Open, r.Close, r.Features.MacroAsOf)), read.Test.Select(r => (r.Time, r.Open, r.Close, r.Features.MacroAsOf)));
        Assert.Equal(dataset.Train.Select(r => r.Features.Raw), read.Train.Select(r => r.Features.Raw));
    }

    [Fact]
    public async Task A_file_that_is_not_a_dataset_is_named()
    {
        var text = Path.Combine(_dir, "notes.parquet");
        await File.WriteAllTextAsync(text, "not parquet at all");
        Assert.Contains("notes.parquet is not a Parquet file", (await Assert.ThrowsAsync<InvalidDataException>(() => DatasetFile.ReadAsync(text))).Message);

        var macro = Path.Combine(_dir, "MACRO_DAILY_MASTER.parquet");
        await MacroParquet.WriteAsync(macro, [new DateOnly(2020, 1, 2)], ["x"], [[1.0]]);
        Assert.Contains("is not a Cop dataset: its Parquet metadata has no 'cop.dataset'",
            (await Assert.ThrowsAsync<InvalidDataException>(() => DatasetFile.ReadAsync(macro))).Message);

        Assert.Contains("dataset file not found", (await Assert.ThrowsAsync<FileNotFoundException>(() => DatasetFile.ReadAsync(Path.Combine(_dir, "none.parquet")))).Message);
    }
}
