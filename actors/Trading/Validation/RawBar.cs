namespace Cop.Trading.Validation;

/// <summary>A bar as a source delivered it, before validation: its time keeps the offset it was
/// labelled with, <see cref="Origin"/> names where it came from (file and line, API call).</summary>
public sealed record RawBar(string Symbol, DateTimeOffset Time, double Open, double High, double Low, double Close,
    double Volume, string Source, string Origin, string Raw);
