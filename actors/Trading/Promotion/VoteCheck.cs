namespace Cop.Trading.Promotion;

/// <summary>One check of the automatic vote, with the value and the threshold it was held to
/// (passed when Value >= Threshold).</summary>
public sealed record VoteCheck(string Name, double Value, double Threshold, bool Passed);
