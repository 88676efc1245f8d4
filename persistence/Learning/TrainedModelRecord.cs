using Cop.Trading.Learning;

namespace Cop.Persistence.Learning;

/// <summary>One row of experiment_models: a model trained on an experiment's dataset (by version),
/// where its ONNX file is (object-store location) and its hash, how it was trained, its validation
/// figures and the baselines' on the same bars (<see cref="PolicyFigures.Policy"/> names each), and
/// the per-update training log.</summary>
public sealed record TrainedModelRecord(
    string Experiment,
    string DatasetVersion,
    string ModelId,
    string ModelVersion,
    string OnnxPath,
    string OnnxSha256,
    int Seed,
    long Timesteps,
    double TrainingSeconds,
    IReadOnlyList<PolicyFigures> Validation,
    string? LogPath)
{
    public DateTime? CreatedAt { get; init; }
}
