using Cop.Trading.Learning;

namespace Cop.Persistence.Learning;

/// <summary>A split of a built dataset: its bars' time range, the learnable rows and those left out for a NULL feature.</summary>
public sealed record SplitSummary(DatasetSplit Split, DateTime First, DateTime Last, int Rows, int LeftOut);
