namespace Cop.Persistence.Objects;

/// <summary>The object store as a local folder (default .cop/objects under the checkout): a key is a
/// relative path under <see cref="Root"/>. Writes go to a temporary file renamed into place.</summary>
public sealed class LocalObjectStore(string root) : IObjectStore
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Location(string key) => Path.Combine(Root, Checked(key).Replace('/', Path.DirectorySeparatorChar));

    public async Task PutFileAsync(string key, string localPath, CancellationToken ct = default)
    {
        var target = Location(key);
        if (Path.GetFullPath(localPath) == target) return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".tmp";
        await using (var input = File.OpenRead(localPath))
        await using (var output = File.Create(temporary))
            await input.CopyToAsync(output, ct);
        File.Move(temporary, target, overwrite: true);
    }

    public async Task GetFileAsync(string key, string localPath, CancellationToken ct = default)
    {
        var source = Location(key);
        if (!File.Exists(source)) throw new ObjectNotFoundException($"object {key} is not in the object store {Root}");
        if (Path.GetFullPath(localPath) == source) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        await using var input = File.OpenRead(source);
        await using var output = File.Create(localPath);
        await input.CopyToAsync(output, ct);
    }

    public Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct = default)
    {
        if (!Directory.Exists(Root)) return Task.FromResult<IReadOnlyList<StoredObject>>([]);
        IReadOnlyList<StoredObject> found = [.. Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => new StoredObject(Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(f).Length))
            .Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(o => o.Key, StringComparer.Ordinal)];
        return Task.FromResult(found);
    }

    /// <summary>A key stays inside the root: relative, no '..' segment.</summary>
    private static string Checked(string key) =>
        key.Length > 0 && !key.StartsWith('/') && !key.Split('/').Any(s => s is ".." or "." or "")
            ? key : throw new ArgumentException($"object key '{key}' must be a relative path without '.', '..' or empty segments");
}
