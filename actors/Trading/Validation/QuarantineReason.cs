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

/// <summary>A bar as a source delivered it, before validation: its time keeps the offset it was
/// labelled with, <see cref="Origin"/> names where it came from (file and line, API call).</summary>
public sealed record RawBar(string Symbol, DateTimeOffset Time, double Open, double High, double Low, double Close,
    double Volume, string Source, string Origin, string Raw);

public sealed record AcceptedBar(RawBar Raw, Bar Bar, string? Repair);

public sealed record RejectedBar(RawBar Raw, QuarantineReason Reason, string Detail)
{
    public string Message => $"{Raw.Origin}: {Reason.Code()}: {Detail}";
}

/// <summary>What validation decided for every bar of a batch: each raw bar is in exactly one list.</summary>
public sealed record ValidationResult(IReadOnlyList<AcceptedBar> Accepted, IReadOnlyList<RejectedBar> Rejected);

/// <summary>The newest stored bar of a series, against which jumps and order are checked.</summary>
public sealed record SeriesTail(DateTime Time, double Close);

/// <summary>Validation thresholds (hocon: cop.ingest.validation).</summary>
public sealed record ValidationRules
{
    /// <summary>Largest |ln| move allowed from the previous close to this bar's open, high, low or
    /// close. USD/COP's largest 5-minute move 2020-2025 was 6.7% (9 March 2020).</summary>
    public double MaxJump { get; init; } = 0.15;
    public double MinPrice { get; init; } = 1_000;
    public double MaxPrice { get; init; } = 20_000;
    /// <summary>Clock skew allowed before a bar whose end is after "now" counts as from the future.</summary>
    public TimeSpan FutureTolerance { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Shift whole days stored in COT wall clock labelled +00:00 when unambiguous.</summary>
    public bool RepairCotLabelledDays { get; init; }
    /// <summary>Unreadable rows after which a file is refused as not a bar file (bounds the time
    /// and the quarantine a garbage file can take).</summary>
    public int MaxUnreadableRows { get; init; } = 1_000;
    /// <summary>Unreadable rows of a refused file kept in quarantine as a sample.</summary>
    public int UnreadableSample { get; init; } = 100;
    /// <summary>The symbols accepted at all (hocon: cop.instruments); any other is unknown_symbol.</summary>
    public InstrumentCatalogue Instruments { get; init; } = InstrumentCatalogue.UsdCop;

    public void Check()
    {
        if (!(MaxJump > 0)) throw new ArgumentException($"max-jump must be positive, not {MaxJump}");
        if (!(MinPrice > 0 && MaxPrice > MinPrice)) throw new ArgumentException($"price range [{MinPrice}, {MaxPrice}] is empty or not positive");
        if (FutureTolerance < TimeSpan.Zero) throw new ArgumentException("future tolerance must not be negative");
        if (MaxUnreadableRows < 0) throw new ArgumentException($"max-unreadable-rows must not be negative, not {MaxUnreadableRows}");
        if (UnreadableSample < 0) throw new ArgumentException($"unreadable-sample must not be negative, not {UnreadableSample}");
    }
}
