using System.Globalization;
using System.IO.Compression;

namespace Cop.Host.Replay;

/// <summary>One line of a bar file in the format of shared/data/usdcop_m5_ohlcv.csv.gz.</summary>
public sealed record BarLine(int LineNumber, string Raw, DateTimeOffset Time, string Symbol,
    double Open, double High, double Low, double Close, double Volume, string Source);

public static class BarFile
{
    /// <summary>Reads bars (plain or .gz). A line that cannot be read is returned as an error
    /// naming the line and the field, so the caller can quarantine it.</summary>
    public static IEnumerable<(BarLine? Bar, string Raw, string? Error)> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var input = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(stream, CompressionMode.Decompress) : (Stream)stream;
        using var reader = new StreamReader(input);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty");
        var cols = header.Split(',');
        int Col(string name) => Array.IndexOf(cols, name) is var i and >= 0 ? i
            : throw new InvalidDataException($"{path}: header has no '{name}' column");
        int cTime = Col("time"), cSymbol = Col("symbol"), cOpen = Col("open"), cHigh = Col("high"),
            cLow = Col("low"), cClose = Col("close"), cVolume = Col("volume"), cSource = Col("source");
        var n = 1;
        while (reader.ReadLine() is { } line)
        {
            n++;
            if (line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length < cols.Length) { yield return (null, line, $"line {n}: {f.Length} fields, header has {cols.Length}"); continue; }
            if (!DateTimeOffset.TryParse(f[cTime], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            { yield return (null, line, $"line {n}: time '{f[cTime]}' is not a timestamp"); continue; }
            double? Num(int i) => double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
            var (o, h, l, c, vol) = (Num(cOpen), Num(cHigh), Num(cLow), Num(cClose), Num(cVolume) ?? 0);
            if (o is null || h is null || l is null || c is null)
            { yield return (null, line, $"line {n}: a price is not a finite number"); continue; }
            yield return (new BarLine(n, line, time, f[cSymbol], o.Value, h.Value, l.Value, c.Value, vol, f[cSource]), line, null);
        }
    }
}
