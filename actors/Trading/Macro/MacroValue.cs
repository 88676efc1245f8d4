namespace Cop.Trading.Macro;

/// <summary>A value as a source published it.</summary>
public readonly record struct MacroValue(DateOnly Date, double Value);
