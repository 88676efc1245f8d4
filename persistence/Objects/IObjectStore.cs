namespace Cop.Persistence.Objects;

/// <summary>
/// Where datasets and trained models are kept: a local folder (<see cref="LocalObjectStore"/>) or an
/// S3-compatible bucket (<see cref="S3ObjectStore"/>), one interface for both. Keys are relative,
/// '/'-separated (<see cref="ObjectKeys"/>); <see cref="Location"/> is what records store.
/// </summary>
public interface IObjectStore
{
    /// <summary>The full location of a key, e.g. /abs/.cop/objects/ml-datasets/... or s3://bucket/ml-datasets/...</summary>
    string Location(string key);

    /// <summary>Stores the file at <paramref name="localPath"/> under <paramref name="key"/> (replacing what was there).</summary>
    Task PutFileAsync(string key, string localPath, CancellationToken ct = default);

    /// <summary>Writes the object at <paramref name="key"/> to <paramref name="localPath"/>; a
    /// <see cref="ObjectNotFoundException"/> naming the key and the store when there is none.</summary>
    Task GetFileAsync(string key, string localPath, CancellationToken ct = default);

    /// <summary>The objects whose key starts with <paramref name="prefix"/>, by key.</summary>
    Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct = default);
}
