using Cop.Trading.Features;

namespace Cop.Actors.Models;

/// <summary>Where a DeployedModel reads features (the hybrid online/offline feature service).</summary>
public interface IFeatureSource
{
    Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default);
}
