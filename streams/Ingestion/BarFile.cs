using System.Globalization;
using System.IO.Compression;
using Cop.Trading.Validation;

namespace Cop.Streams.Ingestion;

/// <summary>Reads bar files in the format of shared/data/usdcop_m5_ohlcv.csv.gz (plain or .gz).</summary>
public static class BarFile
{
    /// <summary>Each line as a raw bar, or as the reason it cannot be read (naming line and field),
    /// so the caller can quarantine it. Timestamps keep the offset they were written with; one
    /// written without an offset is unreadable (the feed's contract has offsets, and which clock
    /// it is cannot be told). A .gz whose trailer does not match what was decompressed throws
    /// once every line was yielded: the archive is cut short, so no line of it can be trusted.</summary>
    public static IEnumerable<(RawBar? Bar, string Raw, string? Error)> Read(string path)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path} is a directory, not a bar file");
        if (!File.Exists(path)) throw new FileNotFoundException($"bar file not found: {Path.GetFullPath(path)}");
        var name = Path.GetFileName(path);
        using var stream = File.OpenRead(path);
        var gzipped = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        if (gzipped && !(stream.ReadByte() == 0x1f && stream.ReadByte() == 0x8b))
            throw new InvalidDataException($"{path} is not a gzip archive (it does not start with 1f 8b): compress it or drop the .gz");
        stream.Position = 0;
        using var gzip = gzipped ? new GZipStream(stream, CompressionMode.Decompress) : null;
        using var counted = gzip is null ? null : new Crc32Stream(gzip);
        using var reader = new StreamReader(counted ?? (Stream)stream);
        var n = 1;
        var rows = 0;
        string? Next()
        {
            try { return reader.ReadLine(); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{path} is damaged after line {n} ({rows:N0} rows read): {e.Message}"); }
        }
        var header = Next() ?? throw new InvalidDataException($"{path} is empty");
        var cols = header.Split(',');
        int Col(string column) => Array.IndexOf(cols, column) is var i and >= 0 ? i
            : throw new InvalidDataException($"{path}: header has no '{column}' column");
        int cTime = Col("time"), cSymbol = Col("symbol"), cOpen = Col("open"), cHigh = Col("high"),
            cLow = Col("low"), cClose = Col("close");
        int cVolume = Array.IndexOf(cols, "volume"), cSource = Array.IndexOf(cols, "source");
        while (Next() is { } line)
        {
            n++;
            if (line.Length == 0) continue;
            rows++;
            var f = line.Split(',');
            if (f.Length < cols.Length) { yield return (null, line, $"{name} line {n}: {f.Length} fields, header has {cols.Length}"); continue; }
            if (!DateTime.TryParse(f[cTime], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var stamp) ||
                !DateTimeOffset.TryParse(f[cTime], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            { yield return (null, line, $"{name} line {n}: time '{f[cTime]}' is not a timestamp"); continue; }
            if (stamp.Kind == DateTimeKind.Unspecified)
            { yield return (null, line, $"{name} line {n}: time '{f[cTime]}' has no UTC offset (the feed writes e.g. 2020-01-02 13:00:00+00:00)"); continue; }
            if (string.IsNullOrWhiteSpace(f[cSymbol])) { yield return (null, line, $"{name} line {n}: symbol is empty"); continue; }
            double? Num(int i) => i >= 0 && double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
            var (o, h, l, c) = (Num(cOpen), Num(cHigh), Num(cLow), Num(cClose));
            if (o is null || h is null || l is null || c is null)
            { yield return (null, line, $"{name} line {n}: a price is not a number"); continue; }
            yield return (new RawBar(f[cSymbol], time, o.Value, h.Value, l.Value, c.Value, Num(cVolume) ?? 0,
                cSource >= 0 && f[cSource].Length > 0 ? f[cSource] : "file", $"{name} line {n}", line), line, null);
        }
        if (counted is not null && TrailerProblem(path, counted) is { } problem)
            throw new InvalidDataException($"{path} is truncated: the gzip archive ends after {rows:N0} rows (line {n}, the last possibly cut short) " +
                                           $"and {problem}; nothing from it was stored: fetch the file again");
    }

    /// <summary>.NET's GZipStream ends quietly where a cut archive ends, so the gzip trailer (CRC-32
    /// and length of the data, RFC 1952) is checked against what was read. A file of several
    /// concatenated gzip members fails this check too: recompress it as one.</summary>
    private static string? TrailerProblem(string path, Crc32Stream read)
    {
        using var file = File.OpenRead(path);
        if (file.Length < 18) return "it has no gzip trailer";
        var trailer = new byte[8];
        file.Seek(-8, SeekOrigin.End);
        file.ReadExactly(trailer);
        var crc = BitConverter.ToUInt32(trailer, 0);
        var size = BitConverter.ToUInt32(trailer, 4);
        if (crc == read.Crc && size == (uint)read.Length) return null;
        return $"its trailer does not match the {read.Length:N0} bytes decompressed";
    }

    /// <summary>Counts and checksums (CRC-32, as gzip) the bytes read through it.</summary>
    private sealed class Crc32Stream(Stream inner) : Stream
    {
        private static readonly uint[] Table = Enumerable.Range(0, 256).Select(i =>
        {
            var c = (uint)i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            return c;
        }).ToArray();

        private uint _crc = 0xFFFFFFFFu;
        public uint Crc => _crc ^ 0xFFFFFFFFu;
        public override long Length => _length;
        private long _length;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            var crc = _crc;
            foreach (var b in buffer[..read]) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            _crc = crc;
            _length += read;
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}
