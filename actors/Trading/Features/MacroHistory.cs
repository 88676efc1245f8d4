namespace Cop.Trading.Features;

/// <summary>
/// A macro series seen from a moving bar time T: its "available history" is the values with
/// AvailableAt &lt;= T, newest (by date) last. Bars arrive in time order, so a cursor only moves
/// forward: O(1) amortised per bar, and the 60-value z-score is recomputed only when a new value
/// becomes available (once a day for daily series).
/// </summary>
public sealed class MacroHistory
{
    private readonly List<MacroObservation> _values = [];
    private int _available;         // values [0, _available) are available at the cursor time
    private DateTime _cursor = DateTime.MinValue;
    private int _zFor = -1;         // _available when _z was computed
    private double? _z;

    public MacroHistory(string column, IEnumerable<MacroObservation> values)
    {
        Column = column;
        _values.AddRange(values.Where(v => !v.IsWithdrawn));
        _values.Sort(Order);
    }

    public string Column { get; }
    public int AvailableCount => _available;
    public double? Last => _available >= 1 ? _values[_available - 1].Value : null;
    public double? Previous => _available >= 2 ? _values[_available - 2].Value : null;
    /// <summary>The date of x_last: how old the series is at the cursor.</summary>
    public DateOnly? LastDate => _available >= 1 ? _values[_available - 1].Date : null;

    /// <summary>Makes every value with AvailableAt &lt;= <paramref name="time"/> available; true
    /// when the available history changed (a new value, or a rewind).</summary>
    public bool AdvanceTo(DateTime time)
    {
        var before = _available;
        var rewound = time < _cursor;
        if (rewound) Rewind();
        _cursor = time;
        while (_available < _values.Count && _values[_available].AvailableAt <= time) _available++;
        return rewound || _available != before;
    }

    /// <summary>Adds, revises or withdraws many values at once (a reload): one sort, one rewind.</summary>
    public void Merge(IEnumerable<MacroObservation> values)
    {
        var byDate = _values.ToDictionary(v => v.Date);
        foreach (var v in values)
            if (v.IsWithdrawn) byDate.Remove(v.Date);
            else byDate[v.Date] = v;
        _values.Clear();
        _values.AddRange(byDate.Values);
        _values.Sort(Order);
        Rewind();
        AdvanceTo(_cursor);
    }

    /// <summary>Adds or revises a value (live macro updates). A value already due is counted from
    /// the next bar on: bars already built could not have seen it.</summary>
    public void Upsert(MacroObservation value)
    {
        var at = _values.FindIndex(v => v.Date == value.Date);
        if (at >= 0) _values.RemoveAt(at);
        _values.Add(value);
        _values.Sort(Order);
        Rewind();
        AdvanceTo(_cursor);
    }

    /// <summary>(x_last - mean)/std over the last <paramref name="window"/> available values with
    /// sample std, clipped to ±<paramref name="clip"/>; 0 when std = 0; NULL below <paramref name="minCount"/>.</summary>
    public double? ZScore(int window = 60, int minCount = 20, double clip = 3)
    {
        if (_zFor == _available) return _z;
        _zFor = _available;
        if (_available < minCount) return _z = null;
        var n = Math.Min(window, _available);
        var from = _available - n;
        double mean = 0;
        for (var k = from; k < _available; k++) mean += _values[k].Value;
        mean /= n;
        double ss = 0;
        for (var k = from; k < _available; k++) { var d = _values[k].Value - mean; ss += d * d; }
        var std = Math.Sqrt(ss / (n - 1));
        return _z = std == 0 ? 0 : Math.Clamp((_values[_available - 1].Value - mean) / std, -clip, clip);
    }

    /// <summary>x_last / x_prev - 1; NULL with fewer than two available values.</summary>
    public double? ChangeOneDay() => _available >= 2 ? _values[_available - 1].Value / _values[_available - 2].Value - 1 : null;

    private void Rewind() { _available = 0; _zFor = -1; }

    private static int Order(MacroObservation a, MacroObservation b)
    {
        var c = a.AvailableAt.CompareTo(b.AvailableAt);
        return c != 0 ? c : a.Date.CompareTo(b.Date);
    }
}
