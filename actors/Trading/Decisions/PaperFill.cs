namespace Cop.Trading.Decisions;

/// <summary>One paper fill: the position changed from From to To at Price (costs included).</summary>
public sealed record PaperFill(DateTime BarTime, long BarIndex, int From, int To, double MidPrice, double Price, double Cost);
