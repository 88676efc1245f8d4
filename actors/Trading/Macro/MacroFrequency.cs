namespace Cop.Trading.Macro;

public enum MacroFrequency { Daily, Monthly, Quarterly }
