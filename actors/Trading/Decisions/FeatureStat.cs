namespace Cop.Trading.Decisions;

/// <summary>Mean and sample std of one feature over a training split.</summary>
public readonly record struct FeatureStat(double Mean, double Std);
