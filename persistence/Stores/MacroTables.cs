using Cop.Trading.Macro;

namespace Cop.Persistence.Stores;

/// <summary>Where a macro series is stored: one table per frequency (db-migrations/). Storage
/// names live here, not in the trading domain.</summary>
public static class MacroTables
{
    public static string Table(this MacroVariableSpec v) => v.Frequency switch
    {
        MacroFrequency.Daily => "macro_daily",
        MacroFrequency.Monthly => "macro_monthly",
        _ => "macro_quarterly",
    };
}
