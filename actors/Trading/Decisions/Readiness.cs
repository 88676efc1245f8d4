namespace Cop.Trading.Decisions;

public enum Readiness { Ready, MarketClosed, MacroStale }
