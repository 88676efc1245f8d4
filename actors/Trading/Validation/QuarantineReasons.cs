namespace Cop.Trading.Validation;

public static class QuarantineReasons
{
    public static string Code(this QuarantineReason reason) => reason switch
    {
        QuarantineReason.Unreadable => "unreadable",
        QuarantineReason.OutOfSession => "out_of_session",
        QuarantineReason.Holiday => "holiday",
        QuarantineReason.DualOffset => "dual_offset",
        QuarantineReason.AmbiguousOffsetDay => "ambiguous_offset_day",
        QuarantineReason.CotLabelledDay => "cot_labelled_day",
        QuarantineReason.NonPositivePrice => "non_positive_price",
        QuarantineReason.OhlcInconsistent => "ohlc_inconsistent",
        QuarantineReason.PriceOutOfRange => "price_out_of_range",
        QuarantineReason.ImpossibleJump => "impossible_jump",
        QuarantineReason.Future => "future",
        QuarantineReason.Duplicate => "duplicate",
        QuarantineReason.OutOfOrder => "out_of_order",
        QuarantineReason.ConflictingDuplicate => "conflicting_duplicate",
        QuarantineReason.UnknownSymbol => "unknown_symbol",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
