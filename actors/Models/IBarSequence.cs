namespace Cop.Actors.Models;

/// <summary>The order of a symbol's feature rows, which a model decides gaplessly, one after the other.</summary>
public interface IBarSequence
{
    /// <summary>The time of the symbol's first feature row after <paramref name="after"/>, or null when there is none yet.</summary>
    Task<DateTime?> NextAsync(string symbol, DateTime after, CancellationToken ct = default);
}
