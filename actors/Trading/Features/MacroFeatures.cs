namespace Cop.Trading.Features;

/// <summary>The macro inputs of one bar series, each a <see cref="MacroHistory"/> read at the bar's
/// start. The seven feature values change only when a value is published (about once a day), so
/// they are computed then and read from fields for every other bar.</summary>
public sealed class MacroFeatures
{
    private readonly Dictionary<string, MacroHistory> _series;
    private bool _dirty = true;

    public MacroFeatures(IReadOnlyDictionary<string, IEnumerable<MacroObservation>> values)
    {
        _series = MacroColumns.All.ToDictionary(c => c,
            c => new MacroHistory(c, values.TryGetValue(c, out var v) ? v : []));
        (Dxy, Vix, Embi, Brent, Ust10y, Ust2y, UsdMxn) = (_series[MacroColumns.Dxy], _series[MacroColumns.Vix],
            _series[MacroColumns.Embi], _series[MacroColumns.Brent], _series[MacroColumns.Ust10y],
            _series[MacroColumns.Ust2y], _series[MacroColumns.UsdMxn]);
    }

    public static MacroFeatures Empty => new(new Dictionary<string, IEnumerable<MacroObservation>>());

    public MacroHistory Dxy { get; }
    public MacroHistory Vix { get; }
    public MacroHistory Embi { get; }
    public MacroHistory Brent { get; }
    public MacroHistory Ust10y { get; }
    public MacroHistory Ust2y { get; }
    public MacroHistory UsdMxn { get; }

    /// <summary>A live update of one series (unknown columns are not features: ignored).</summary>
    public void Upsert(string column, MacroObservation value)
    {
        if (_series.TryGetValue(column, out var s)) { s.Upsert(value); _dirty = true; }
    }

    /// <summary>Merges a reload of every series (revisions replace values of the same date).</summary>
    public void Merge(IReadOnlyDictionary<string, IEnumerable<MacroObservation>> values)
    {
        foreach (var (column, v) in values)
            if (_series.TryGetValue(column, out var s)) { s.Merge(v); _dirty = true; }
    }

    public void AdvanceTo(DateTime time)
    {
        // Non-short-circuit |: every series must advance.
        var changed = Dxy.AdvanceTo(time) | Vix.AdvanceTo(time) | Embi.AdvanceTo(time) | Brent.AdvanceTo(time)
                      | Ust10y.AdvanceTo(time) | Ust2y.AdvanceTo(time) | UsdMxn.AdvanceTo(time);
        if (!changed && !_dirty) return;
        _dirty = false;
        DxyZ = Dxy.ZScore();
        DxyChange1d = Dxy.ChangeOneDay();
        VixZ = Vix.ZScore();
        EmbiZ = Embi.ZScore();
        BrentChange1d = Brent.ChangeOneDay();
        RateSpread = Ust10y.Last is { } l && Ust2y.Last is { } s ? l - s : null;
        UsdmxnChange1d = UsdMxn.ChangeOneDay();
        AsOf = OldestLastDate();
    }

    private DateOnly? OldestLastDate()
    {
        DateOnly? oldest = null;
        foreach (var s in (ReadOnlySpan<MacroHistory>)[Dxy, Vix, Embi, Brent, Ust10y, Ust2y, UsdMxn])
        {
            if (s.LastDate is not { } d) return null;
            if (oldest is null || d < oldest) oldest = d;
        }
        return oldest;
    }

    // Feature values #6-#12 at the time of the last AdvanceTo.
    public double? DxyZ { get; private set; }
    public double? DxyChange1d { get; private set; }
    public double? VixZ { get; private set; }
    public double? EmbiZ { get; private set; }
    public double? BrentChange1d { get; private set; }
    public double? RateSpread { get; private set; }
    public double? UsdmxnChange1d { get; private set; }
    /// <summary>The oldest of the seven series' newest available dates; null while any has none.</summary>
    public DateOnly? AsOf { get; private set; }
}
