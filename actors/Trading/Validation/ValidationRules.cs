namespace Cop.Trading.Validation;

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
