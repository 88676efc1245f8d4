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
