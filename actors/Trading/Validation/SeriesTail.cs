namespace Cop.Trading.Validation;

/// <summary>The newest stored bar of a series, against which jumps and order are checked.</summary>
public sealed record SeriesTail(DateTime Time, double Close);
