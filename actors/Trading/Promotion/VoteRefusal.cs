namespace Cop.Trading.Promotion;

/// <summary>Why a manual vote is refused: the field at fault and a sentence. <see cref="Forbidden"/>:
/// the voter may not vote on this request at all (four eyes), as opposed to a bad input.</summary>
public sealed record VoteRefusal(string Field, string Message, bool Forbidden = false)
{
    public override string ToString() => $"{Field}: {Message}";
}
