using Cop.Trading;
using Cop.Trading.Validation;

namespace Cop.Streams.Ingestion;

/// <summary>The stored bars as the ingester needs them: the newest of each series, the stored
/// neighbours of a batch (duplicate, order and jump checks), and storing a validated batch
/// (accepted bars, repairs and rejects in one transaction).</summary>
public interface IBarArchive
{
    Task<Dictionary<string, SeriesTail>> LoadTailsAsync(CancellationToken ct = default);
    Task<Dictionary<(string, DateTime), Bar>> StoredBarsAsync(DateTime from, DateTime to, CancellationToken ct = default);
    /// <summary>Returns how many accepted bars were new (a bar another writer stored meanwhile is not).</summary>
    Task<int> StoreAsync(ValidationResult batch, string quarantineSource, CancellationToken ct = default);
}
