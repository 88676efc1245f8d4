using System.Diagnostics;
using Cop.Persistence.Learning;
using Cop.Persistence.Objects;
using Cop.Persistence.Stores;
using Cop.Trading.Learning;
using Npgsql;

namespace Cop.Host.Application;

/// <summary>
/// `cop dataset build`: an experiment's dataset from the feature store. Reads the stored feature
/// rows and their bars' OHLC (never recomputes a feature), sorts them into the experiment's splits
/// (<see cref="LearningDataset.Assemble"/>: rows with a NULL feature left out and counted, empty
/// splits refused, norm_stats from train, leakage asserted), writes the Parquet file
/// (<see cref="DatasetFile"/>), puts it in the object store and records it in experiment_runs.
/// The default version is the first 12 hex digits of the file's SHA-256, so the same experiment on
/// the same data is the same version, and a rebuild finds it already recorded.
/// </summary>
public static class DatasetBuild
{
    public sealed record Result(LearningDataset Dataset, DatasetRun Run, bool Recorded, long Bytes, TimeSpan Elapsed);

    public static string DefaultVersion(string sha256) => sha256[..12];

    public static async Task<Result> RunAsync(NpgsqlDataSource db, IObjectStore objects, DatasetExperiment experiment, string? version,
        CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        if (version is not null) ObjectKeys.Part(version, "--version");
        var plan = experiment.Plan;
        var rows = await new FeatureReader(db).ReadRowsAsync(experiment.Symbol, plan.Train.StartUtc, plan.Test.EndUtc, ct);
        var dataset = LearningDataset.Assemble(experiment.Name, experiment.Symbol, plan, rows);

        var temporary = Path.Combine(Path.GetTempPath(), $"cop-dataset-{Guid.NewGuid():N}.parquet");
        try
        {
            var sha = await DatasetFile.WriteAsync(temporary, dataset, ct);
            var bytes = new FileInfo(temporary).Length;
            version ??= DefaultVersion(sha);
            var experiments = new ExperimentStore(db);
            // A version never changes its bytes: refuse before the stored file would be replaced.
            if (await experiments.DatasetAsync(experiment.Name, version, ct) is { } existing && existing.Sha256 != sha)
                throw new InvalidOperationException(
                    $"experiment {experiment.Name} already has a dataset version {version} with hash {existing.Sha256}; this build's hash is {sha}: give another --version");
            var key = ObjectKeys.Dataset(experiment.Name, version);
            await objects.PutFileAsync(key, temporary, ct);
            var run = new DatasetRun(experiment.Name, version, objects.Location(key), sha, experiment.ConfigJson,
                [.. SplitNames.All.Select(s => new SplitSummary(s, dataset.Span(s).First, dataset.Span(s).Last, dataset[s].Count, dataset.LeftOut[s]))],
                dataset.NormStats.ToJson());
            var recorded = await experiments.RecordDatasetAsync(run, ct);
            return new Result(dataset with { Sha256 = sha, Version = version }, run, recorded, bytes, clock.Elapsed);
        }
        finally { File.Delete(temporary); }
    }
}
