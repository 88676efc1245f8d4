namespace Cop.Trading.Validation;

/// <summary>Why a bar was quarantined instead of stored. <see cref="QuarantineReasons.Code"/> names
/// each in the quarantine table and the demo's summary.</summary>
public enum QuarantineReason
{
    Unreadable,
    OutOfSession,
    Holiday,
    DualOffset,
    AmbiguousOffsetDay,
    CotLabelledDay,
    NonPositivePrice,
    OhlcInconsistent,
    PriceOutOfRange,
    ImpossibleJump,
    Future,
    Duplicate,
    OutOfOrder,
    /// <summary>A bar already stored (or earlier in the batch) sent again with other prices.</summary>
    ConflictingDuplicate,
    UnknownSymbol,
}
