namespace Cop.Actors.Models;

/// <summary>What the supervisor needs to know about a deployed model (from model_registry).</summary>
public sealed record DeployedModelInfo(string ModelId, string FilePath, string FileSha256, string NormStatsJson, bool KillSwitch);
