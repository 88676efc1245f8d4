namespace Cop.Persistence.Objects;

/// <summary>A key that is not in the store (a FileNotFoundException, so the CLI reports it in one line, exit 2).</summary>
public sealed class ObjectNotFoundException(string message) : FileNotFoundException(message);
