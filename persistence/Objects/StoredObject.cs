namespace Cop.Persistence.Objects;

/// <summary>One stored object: its key and size in bytes.</summary>
public sealed record StoredObject(string Key, long Size);
