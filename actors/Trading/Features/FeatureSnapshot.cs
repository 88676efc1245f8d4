namespace Cop.Trading.Features;

/// <summary>The stored raw features of one bar (observation order, position as stored) and its
/// close: what a model observes of a bar, however the feature service found it.</summary>
public sealed record FeatureSnapshot(string Symbol, DateTime BarTime, double?[] Raw, double Close, DateOnly? MacroAsOf);
