using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cop.Trading.Decisions;

namespace Cop.Trading.Backtests;

/// <summary>
/// The signature of a backtest: SHA-256 (lowercase hex) of the UTF-8 bytes of this canonical text,
/// every line ended by "\n" (no "\r"), nothing else in it:
/// <code>
/// cop-backtest-v1
/// trades N
/// {bar_time},{bar_index},{from},{to},{mid_price},{price}      one line per fill, in time order
/// equity M
/// {bar_time},{equity},{position}                              one line per decided bar, in time order
/// </code>
/// bar_time is UTC as yyyy-MM-ddTHH:mm:ssZ; integers in plain decimal (a minus sign when negative);
/// each double as the shortest decimal that parses back to the same double, with '.' and no exponent
/// (.NET "R" then expanded; for the prices and equities of a backtest, as JSON writes them: 4000.8,
/// 10000, -12.5). The same model, bars and settings make the same fills and curve, so the same
/// signature; a stored result is verified by recomputing it from its stored trades and curve.
/// </summary>
public static class BacktestSignature
{
    public const string Header = "cop-backtest-v1";

    public static string Of(IReadOnlyList<PaperFill> fills, IReadOnlyList<EquityPoint> curve)
    {
        // Line by line into one incremental hash: the same bytes as Canonical, without the whole text in memory.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new StringBuilder(128);
        var bytes = new byte[512];
        void Add(StringBuilder s)
        {
            var n = Encoding.UTF8.GetBytes(s.ToString(), bytes);
            hash.AppendData(bytes, 0, n);
            s.Clear();
        }
        foreach (var text in Lines(fills, curve, line)) Add(text);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static IEnumerable<StringBuilder> Lines(IReadOnlyList<PaperFill> fills, IReadOnlyList<EquityPoint> curve, StringBuilder s)
    {
        yield return s.Append(Header).Append('\n');
        yield return s.Append("trades ").Append(fills.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var f in fills)
            yield return s.Append(Time(f.BarTime)).Append(',').Append(f.BarIndex.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(f.From.ToString(CultureInfo.InvariantCulture)).Append(',').Append(f.To.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Number(f.MidPrice)).Append(',').Append(Number(f.Price)).Append('\n');
        yield return s.Append("equity ").Append(curve.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var p in curve)
            yield return s.Append(Time(p.BarTime)).Append(',').Append(Number(p.Equity)).Append(',').Append(p.Position.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>The canonical text the signature hashes (see the type's summary).</summary>
    public static string Canonical(IReadOnlyList<PaperFill> fills, IReadOnlyList<EquityPoint> curve)
    {
        var all = new StringBuilder();
        var line = new StringBuilder(128);
        foreach (var text in Lines(fills, curve, line))
        {
            all.Append(text);
            text.Clear();
        }
        return all.ToString();
    }

    public static string Time(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The shortest round-trip decimal, written without an exponent.</summary>
    public static string Number(double x)
    {
        if (!double.IsFinite(x)) throw new ArgumentException($"a backtest number must be finite, not {x}");
        var r = x.ToString("R", CultureInfo.InvariantCulture);
        return r.Contains('E') ? decimal.Parse(r, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) : r;
    }
}
