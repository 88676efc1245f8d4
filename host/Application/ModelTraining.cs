using Cop.Learning;
using Cop.Persistence.Learning;
using Cop.Persistence.Objects;
using Cop.Persistence.Stores;
using Cop.Trading.Features;
using Cop.Trading.Learning;

namespace Cop.Host.Application;

/// <summary>
/// `cop train`: the experiment's newest dataset (experiment_runs, its file from the object store,
/// hash checked), PPO on its train split with the validation evaluations (<see cref="PolicyTraining"/>),
/// then the kept policy's files into the object store (ml-models/{experiment}/{model id}/), the
/// model registered in model_registry as `registered` (the contract checked by
/// <see cref="ModelRegistration"/>, with the dataset's norm_stats and the train split's dates) and
/// recorded in experiment_models with its validation figures and the baselines'.
/// The model id is ppo_{experiment}_{first 12 hex of the ONNX SHA-256}: the same training gives the
/// same id, and a repeat finds it already recorded.
/// </summary>
public static class ModelTraining
{
    public sealed record Outcome(PolicyTraining.Result Training, ModelRecord Registered, TrainedModelRecord Recorded, bool AlreadyRecorded, string DatasetVersion);

    public static async Task<Outcome> RunAsync(TrainingExperiment experiment, ExperimentStore experiments, ModelRegistryStore registry, IObjectStore objects,
        string modelsDirectory, long? timesteps = null, long? seed = null, string? datasetVersion = null, PolicyTraining.IObserver? observer = null,
        CancellationToken ct = default)
    {
        var (run, dataset) = await ExperimentDatasets.LoadAsync(experiments, objects, experiment.Name, datasetVersion,
            Path.Combine(modelsDirectory, ".cache"), ct);
        IReadOnlyList<FeatureSnapshot> train = [.. dataset.Train.Select(r => r.Features)];
        IReadOnlyList<FeatureSnapshot> validation = [.. dataset.Validation.Select(r => r.Features)];
        var s = seed ?? experiment.Seed;
        var steps = timesteps ?? experiment.Ppo.TotalTimesteps;

        // Trained into a scratch folder, then moved to the model's own folder once its hash is known.
        var scratch = Path.Combine(modelsDirectory, experiment.Name, $".training-{Guid.NewGuid():N}");
        var result = await Task.Run(() => PolicyTraining.Train(experiment, train, validation, dataset.NormStats, scratch, steps, s, observer), ct);
        var modelId = $"ppo_{experiment.Name}_{result.Sha256[..12]}";
        var modelVersion = $"{run.Version}-s{s}-t{result.Timesteps}";
        var folder = Path.Combine(modelsDirectory, experiment.Name, modelId);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.Move(scratch, folder);
        result = result with { Directory = folder, ModelPath = Path.Combine(folder, PolicyTraining.ModelFile) };

        // The folder is the model id, not its version label: two trainings with the same dataset, seed
        // and timesteps but other code are other models, and must not overwrite each other's files.
        var prefix = ObjectKeys.ModelFolder(experiment.Name, modelId);
        foreach (var file in new[] { PolicyTraining.ModelFile, PolicyTraining.NormStatsFile, PolicyTraining.LogFile, PolicyTraining.EvaluationFile })
            await objects.PutFileAsync(prefix + file, Path.Combine(folder, file), ct);

        var (first, last) = dataset.Span(DatasetSplit.Train);
        var registered = await ModelRegistration.RegisterAsync(registry, result.ModelPath, modelId, modelVersion, dataset.NormStats, FeatureNames.OrderHash,
            trainingStart: first, trainingEnd: last);

        var record = new TrainedModelRecord(experiment.Name, run.Version, modelId, modelVersion, objects.Location(prefix + PolicyTraining.ModelFile),
            result.Sha256, checked((int)s), result.Timesteps, result.Elapsed.TotalSeconds,
            [.. result.Validation.Select(v => new PolicyFigures(v.Policy, v.Report.TotalReturn, v.Report.Sharpe, -v.Report.MaxDrawdown, v.Report.TotalTrades))],
            objects.Location(prefix + PolicyTraining.LogFile));
        var already = (await experiments.ModelsAsync(experiment.Name, ct)).Any(m => m.ModelId == modelId && m.ModelVersion == modelVersion);
        if (!already) await experiments.RecordTrainedModelAsync(record, ct);
        return new Outcome(result, registered, record, already, run.Version);
    }
}
