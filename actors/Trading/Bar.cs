namespace Cop.Trading;

/// <summary>One validated 5-minute bar; <see cref="Time"/> is its start, in UTC.</summary>
public readonly record struct Bar(DateTime Time, double Open, double High, double Low, double Close, double Volume = 0);
