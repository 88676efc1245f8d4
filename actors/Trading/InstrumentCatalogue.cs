using System.Text;

namespace Cop.Trading;

/// <summary>
/// The instruments Cop trades (hocon: cop.instruments). A symbol is known only when it is
/// exactly (ordinal) one of these: anything else (another pair, another case, a forged or
/// garbled string) is refused where it enters, before it can name a series, an actor, a
/// watermark or a SQL parameter.
/// </summary>
public sealed class InstrumentCatalogue
{
    /// <summary>Longest symbol a catalogue may hold (and the most of one a message shows).</summary>
    public const int MaxSymbolLength = 32;

    public static readonly InstrumentCatalogue UsdCop = new(["USD/COP"]);

    private readonly HashSet<string> _symbols;

    public InstrumentCatalogue(IEnumerable<string> symbols)
    {
        Symbols = [.. symbols];
        if (Symbols.Count == 0) throw new ArgumentException("the instrument catalogue is empty");
        foreach (var s in Symbols)
            if (s.Length is 0 or > MaxSymbolLength || s.Any(ch => ch <= ' ' || ch > '~'))
                throw new ArgumentException($"instrument {Printable(s)} is not 1 to {MaxSymbolLength} printable ASCII characters without spaces");
        _symbols = new HashSet<string>(Symbols, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Symbols { get; }

    public bool Contains(string? symbol) => symbol is not null && _symbols.Contains(symbol);

    /// <summary>Why a symbol is not traded, in one line that is safe to log whatever the symbol holds.</summary>
    public string WhyUnknown(string? symbol) => symbol switch
    {
        null => "no symbol",
        _ when symbol.Contains('\uFFFD') => $"symbol {Printable(symbol)} holds bytes that are not valid UTF-8",
        _ => $"symbol {Printable(symbol)} is not a configured instrument ({string.Join(", ", Symbols)})",
    };

    /// <summary>A symbol quoted for a message: control and non-ASCII characters escaped, at most
    /// <see cref="MaxSymbolLength"/> characters shown (with the full length when cut).</summary>
    public static string Printable(string s)
    {
        var sb = new StringBuilder("'");
        foreach (var ch in s.Take(MaxSymbolLength))
            sb.Append(ch is >= ' ' and <= '~' && ch != '\'' ? ch.ToString() : $"\\u{(int)ch:X4}");
        sb.Append('\'');
        if (s.Length > MaxSymbolLength) sb.Append($"... ({s.Length:N0} characters)");
        return sb.ToString();
    }
}
