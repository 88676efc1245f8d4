namespace Cop.Persistence.Learning;

/// <summary>An experiment as `cop experiments list` shows it: datasets built, models trained, the latest of each.</summary>
public sealed record ExperimentSummary(string Experiment, int Datasets, string? LatestDataset, DateTime? LatestDatasetAt, int Models, string? LatestModel);
