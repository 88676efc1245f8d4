using System.Globalization;
using Cop.Actors.Macro;
using Cop.Trading.Macro;

namespace Cop.Streams.Macro.Sources;

/// <summary>
/// Sources without an API (Investing.com, DANE, Fedesarrollo) are not scraped: an operator drops
/// `{column}.csv` (date,value) into the drop folder and the variable picks it up on its next run.
/// No file: nothing new (not a failure).
/// </summary>
public sealed class FileDropSource(string folder) : IMacroSource
{
    public string Name => "file";
    public BreakerState BreakerState => BreakerState.Closed;

    public Task<IReadOnlyList<MacroValue>> FetchAsync(MacroVariableSpec v, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var path = Path.Combine(folder, v.Column + ".csv");
        if (!File.Exists(path)) return Task.FromResult<IReadOnlyList<MacroValue>>([]);
        var values = new List<MacroValue>();
        var n = 0;
        var seen = new Dictionary<DateOnly, int>();
        foreach (var line in File.ReadLines(path))
        {
            n++;
            var f = line.Split(',');
            if (n == 1 && !DateOnly.TryParse(f[0], CultureInfo.InvariantCulture, out _)) continue;   // header
            if (f.Length < 2 || !DateOnly.TryParse(f[0], CultureInfo.InvariantCulture, out var date))
                throw new MacroSourceException($"{path} line {n}: expected date,value", transient: false);
            if (!seen.TryAdd(date, n))
                throw new MacroSourceException($"{path} line {n}: date {date:yyyy-MM-dd} is already on line {seen[date]} (one row per date)", transient: false);
            if (date < from || date > to || f[1].Length == 0) continue;
            // The operator's file is fixed by the operator: a cell that is not a number fails the
            // run naming it, never becomes NaN with its text lost.
            if (!double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                throw new MacroSourceException($"{path} line {n}: '{f[1]}' is not a number", transient: false);
            values.Add(new MacroValue(date, x));
        }
        return Task.FromResult<IReadOnlyList<MacroValue>>(values);
    }
}
