namespace Cop.Trading.Features;

/// <summary>The macro series the canonical features read (features.md, #6-#12).</summary>
public static class MacroColumns
{
    public const string Dxy = "fxrt_index_dxy_usa_d_dxy";
    public const string Vix = "volt_vix_usa_d_vix";
    public const string Embi = "crsk_spread_embi_col_d_embi";
    public const string Brent = "comm_oil_brent_glb_d_brent";
    public const string Ust10y = "finc_bond_yield10y_usa_d_ust10y";
    public const string Ust2y = "finc_bond_yield2y_usa_d_dgs2";
    public const string UsdMxn = "fxrt_spot_usdmxn_mex_d_usdmxn";

    public static readonly IReadOnlyList<string> All = [Dxy, Vix, Embi, Brent, Ust10y, Ust2y, UsdMxn];
}

/// <summary>The macro inputs of one bar series, each a <see cref="MacroHistory"/> read at the bar's start.</summary>
public sealed class MacroFeatures
{
    private readonly Dictionary<string, MacroHistory> _series;

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
        if (_series.TryGetValue(column, out var s)) s.Upsert(value);
    }

    /// <summary>Merges a reload of every series (revisions replace values of the same date).</summary>
    public void Merge(IReadOnlyDictionary<string, IEnumerable<MacroObservation>> values)
    {
        foreach (var (column, v) in values)
            if (_series.TryGetValue(column, out var s)) s.Merge(v);
    }

    public void AdvanceTo(DateTime time)
    {
        Dxy.AdvanceTo(time); Vix.AdvanceTo(time); Embi.AdvanceTo(time); Brent.AdvanceTo(time);
        Ust10y.AdvanceTo(time); Ust2y.AdvanceTo(time); UsdMxn.AdvanceTo(time);
    }

    public double? RateSpread => Ust10y.Last is { } l && Ust2y.Last is { } s ? l - s : null;
}
