using Cop.Persistence.Learning;
using Cop.Persistence.Objects;
using Cop.Trading.Learning;

namespace Cop.Host.Application;

/// <summary>
/// A recorded dataset loaded for training or a backtest: the experiment_runs row (the given version,
/// or the newest), its file from the object store (read in place from a local store, downloaded to
/// <c>cacheDirectory</c> from S3), read back by <see cref="DatasetFile.ReadAsync"/> and checked
/// against the recorded SHA-256.
/// </summary>
public static class ExperimentDatasets
{
    public static async Task<(DatasetRun Run, LearningDataset Dataset)> LoadAsync(ExperimentStore experiments, IObjectStore objects,
        string experiment, string? version, string cacheDirectory, CancellationToken ct = default)
    {
        var run = await experiments.DatasetAsync(experiment, version, ct) ?? throw new InvalidOperationException(version is null
            ? $"experiment {experiment} has no dataset: run `cop dataset build --experiment {experiment}` first"
            : $"experiment {experiment} has no dataset version {version} (cop experiments show {experiment} lists them)");
        var key = ObjectKeys.Dataset(experiment, run.Version);
        string path;
        if (objects is LocalObjectStore local) path = local.Location(key);
        else
        {
            path = Path.Combine(cacheDirectory, key.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(path) || await DatasetFile.Sha256Async(path, ct) != run.Sha256) await objects.GetFileAsync(key, path, ct);
        }
        if (!File.Exists(path)) throw new ObjectNotFoundException($"dataset {experiment} {run.Version} is recorded at {run.Path} but {path} does not exist");
        var dataset = await DatasetFile.ReadAsync(path, ct);
        if (dataset.Sha256 != run.Sha256)
            throw new InvalidDataException($"dataset {experiment} {run.Version} at {path} has SHA-256 {dataset.Sha256}, experiment_runs recorded {run.Sha256}: the file was changed");
        return (run, dataset with { Version = run.Version });
    }
}
