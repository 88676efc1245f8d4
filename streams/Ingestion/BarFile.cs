using System.Globalization;
using System.IO.Compression;
using Cop.Trading.Validation;

namespace Cop.Streams.Ingestion;

/// <summary>Reads bar files in the format of shared/data/usdcop_m5_ohlcv.csv.gz (plain or .gz).</summary>
public static class BarFile
{
    /// <summary>Each line as a raw bar, or as the reason it cannot be read (naming line and field),
    /// so the caller can quarantine it. Timestamps keep the offset they were written with.</summary>
    public static IEnumerable<(RawBar? Bar, string Raw, string? Error)> Read(string path)
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
            cLow = Col("low"), cClose = Col("close");
        int cVolume = Array.IndexOf(cols, "volume"), cSource = Array.IndexOf(cols, "source");
        var name = Path.GetFileName(path);
        var n = 1;
        while (reader.ReadLine() is { } line)
        {
            n++;
            if (line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length < cols.Length) { yield return (null, line, $"{name} line {n}: {f.Length} fields, header has {cols.Length}"); continue; }
            if (!DateTimeOffset.TryParse(f[cTime], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            { yield return (null, line, $"{name} line {n}: time '{f[cTime]}' is not a timestamp"); continue; }
            if (string.IsNullOrWhiteSpace(f[cSymbol])) { yield return (null, line, $"{name} line {n}: symbol is empty"); continue; }
            double? Num(int i) => i >= 0 && double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
            var (o, h, l, c) = (Num(cOpen), Num(cHigh), Num(cLow), Num(cClose));
            if (o is null || h is null || l is null || c is null)
            { yield return (null, line, $"{name} line {n}: a price is not a number"); continue; }
            yield return (new RawBar(f[cSymbol], time, o.Value, h.Value, l.Value, c.Value, Num(cVolume) ?? 0,
                cSource >= 0 && f[cSource].Length > 0 ? f[cSource] : "file", $"{name} line {n}", line), line, null);
        }
    }
}
