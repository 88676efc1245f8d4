using System.Globalization;
using System.IO.Compression;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>
/// Loads a file shaped like shared/data/macro_indicators_daily.csv.gz into macro_daily: the
/// daily columns macro_daily has, with fecha_available = fecha + delay. Stands in for the macro
/// extractors (issue 4) in tests and the demo. Idempotent: a reload replaces values.
/// </summary>
public sealed class MacroStore(NpgsqlDataSource db)
{
    public async Task<int> LoadDailyFileAsync(string path, int delayDays, CancellationToken ct = default)
    {
        var tableColumns = await ColumnsAsync("macro_daily", ct);
        using var stream = File.OpenRead(path);
        using var input = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(stream, CompressionMode.Decompress) : (Stream)stream;
        using var reader = new StreamReader(input);
        var header = (await reader.ReadLineAsync(ct) ?? throw new InvalidDataException($"{path} is empty")).Split(',');
        var dateIndex = Array.IndexOf(header, "fecha");
        if (dateIndex < 0) throw new InvalidDataException($"{path}: header has no 'fecha' column");
        var used = header.Select((name, i) => (name, i)).Where(c => c.name.Contains("_d_") && tableColumns.Contains(c.name)).ToList();
        if (used.Count == 0) throw new InvalidDataException($"{path}: no daily column matches macro_daily");

        var dates = new List<DateOnly>();
        var values = used.Select(_ => new List<double?>()).ToList();
        var line = 1;
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            line++;
            var f = text.Split(',');
            if (f.Length != header.Length) throw new InvalidDataException($"{path} line {line}: {f.Length} fields, header has {header.Length}");
            if (!DateOnly.TryParse(f[dateIndex], CultureInfo.InvariantCulture, out var date))
                throw new InvalidDataException($"{path} line {line}: fecha '{f[dateIndex]}' is not a date");
            dates.Add(date);
            for (var k = 0; k < used.Count; k++)
                values[k].Add(double.TryParse(f[used[k].i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null);
        }

        var names = used.Select(u => u.name).ToList();
        await using var cmd = db.CreateCommand($"""
            INSERT INTO macro_daily (fecha, fecha_available, {string.Join(", ", names)})
            SELECT d, d + @delay, {string.Join(", ", names.Select((_, k) => $"v{k}"))}
            FROM unnest(@dates, {string.Join(", ", names.Select((_, k) => $"@v{k}"))}) AS u(d, {string.Join(", ", names.Select((_, k) => $"v{k}"))})
            ON CONFLICT (fecha) DO UPDATE SET fecha_available = EXCLUDED.fecha_available,
                {string.Join(", ", names.Select(n => $"{n} = EXCLUDED.{n}"))}, updated_at = NOW()
            """);
        cmd.Parameters.AddWithValue("delay", delayDays);
        cmd.Parameters.AddWithValue("dates", NpgsqlDbType.Array | NpgsqlDbType.Date, dates.ToArray());
        for (var k = 0; k < names.Count; k++) cmd.Parameters.AddWithValue($"v{k}", NpgsqlDbType.Array | NpgsqlDbType.Double, values[k].ToArray());
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<HashSet<string>> ColumnsAsync(string table, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT column_name FROM information_schema.columns WHERE table_name = @t");
        cmd.Parameters.AddWithValue("t", table);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var set = new HashSet<string>();
        while (await r.ReadAsync(ct)) set.Add(r.GetString(0));
        return set;
    }
}
