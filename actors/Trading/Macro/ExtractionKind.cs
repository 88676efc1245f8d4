namespace Cop.Trading.Macro;

public enum ExtractionKind { Seed, Gap, Refresh }
