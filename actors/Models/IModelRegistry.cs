namespace Cop.Actors.Models;

/// <summary>model_registry as the models' supervisor follows it: what is deployed now, and why a
/// deployed model could not start.</summary>
public interface IModelRegistry
{
    Task<IReadOnlyList<DeployedModelInfo>> DeployedAsync(CancellationToken ct = default);
    Task RecordErrorAsync(string modelId, string error, CancellationToken ct = default);
}
