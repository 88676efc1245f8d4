using Cop.Trading.Macro;

namespace Cop.Actors.Macro;

/// <summary>What storing one batch of a series did.</summary>
public sealed record MacroIntakeResult(int Upserted, int Rejected, IReadOnlyList<RejectedMacroValue> Rejections);
