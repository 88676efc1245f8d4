using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cop.Trading;
using Cop.Trading.Decisions;
using Cop.Trading.Features;
using Cop.Trading.Learning;
using Parquet;
using Parquet.Schema;

namespace Cop.Persistence.Learning;

/// <summary>
/// A dataset as one Parquet file: `time` (TIMESTAMP micros, UTC), `symbol`, `split` (train |
/// validation | test), the 15 features in observation order (optional DOUBLE, position as stored),
/// `open`, `high`, `low`, `close` (DOUBLE), `macro_as_of` (optional DATE); one row group, rows in
/// time order, learnable rows only. The file's key-value metadata `cop.dataset` (JSON) holds the
/// experiment, symbol, split days, embargo, rows left out per split and the train split's
/// norm_stats, so the file alone gives back the <see cref="LearningDataset"/>. Nothing in it
/// depends on when or where it was written (no clock, no path, no version label): the same
/// experiment on the same data gives the same bytes, hence the same SHA-256.
/// </summary>
public static class DatasetFile
{
    public const string Format = "cop-dataset/1";
    public const string MetadataKey = "cop.dataset";

    private static readonly DateTimeDataField Time = new("time", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros);
    private static readonly DataField<string> Symbol = new("symbol");
    private static readonly DataField<string> Split = new("split");
    private static readonly DataField<double?>[] Features = [.. FeatureNames.Ordered.Select(n => new DataField<double?>(n))];
    private static readonly DataField<double>[] Prices = [new("open"), new("high"), new("low"), new("close")];
    private static readonly DataField<DateOnly?> MacroAsOf = new("macro_as_of");

    /// <summary>The column names in file order (what a second reader should find).</summary>
    public static IReadOnlyList<string> Columns =>
        [Time.Name, Symbol.Name, Split.Name, .. Features.Select(f => f.Name), .. Prices.Select(f => f.Name), MacroAsOf.Name];

    private static ParquetSchema Schema => new([Time, Symbol, Split, .. Features, .. Prices, MacroAsOf]);

    /// <summary>Writes the dataset to <paramref name="path"/> (a temporary file renamed into place) and
    /// returns the file's SHA-256.</summary>
    public static async Task<string> WriteAsync(string path, LearningDataset dataset, CancellationToken ct = default)
    {
        var rows = SplitNames.All.SelectMany(s => dataset[s].Select(r => (Split: s, Row: r))).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        {
            await using var writer = await ParquetWriter.CreateAsync(Schema, file, cancellationToken: ct);
            writer.CustomMetadata = new Dictionary<string, string> { [MetadataKey] = Metadata(dataset) };
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<DateTime>(Time, rows.Select(r => r.Row.Time).ToArray(), cancellationToken: ct);
            await group.WriteAsync(Symbol, rows.Select(r => r.Row.Features.Symbol).ToArray());
            await group.WriteAsync(Split, rows.Select(r => SplitNames.Of(r.Split)).ToArray());
            for (var k = 0; k < Features.Length; k++)
                await group.WriteAsync<double>(Features[k], rows.Select(r => r.Row.Features.Raw[k]).ToArray(), cancellationToken: ct);
            Func<DatasetRow, double>[] prices = [r => r.Open, r => r.High, r => r.Low, r => r.Close];
            for (var k = 0; k < Prices.Length; k++)
                await group.WriteAsync<double>(Prices[k], rows.Select(r => prices[k](r.Row)).ToArray(), cancellationToken: ct);
            await group.WriteAsync<DateOnly>(MacroAsOf, rows.Select(r => r.Row.Features.MacroAsOf).ToArray(), cancellationToken: ct);
        }
        File.Move(temporary, path, overwrite: true);
        return await Sha256Async(path, ct);
    }

    /// <summary>Reads a dataset file back: rows per split, rows left out, plan, norm_stats and the file's hash.</summary>
    public static async Task<LearningDataset> ReadAsync(string path, CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file not found: {Path.GetFullPath(path)}");
        var sha = await Sha256Async(path, ct);
        ParquetReader reader;
        try { reader = await ParquetReader.CreateAsync(path, cancellationToken: ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"{path} is not a Parquet file: {e.Message}");
        }
        await using var _ = reader;
        if (!reader.CustomMetadata.TryGetValue(MetadataKey, out var json))
            throw new InvalidDataException($"{path} is not a Cop dataset: its Parquet metadata has no '{MetadataKey}'");
        var meta = ParseMetadata(path, json);
        var names = reader.Schema.DataFields.Select(f => f.Name).ToList();
        if (!names.SequenceEqual(Columns))
            throw new InvalidDataException($"{path} has columns [{string.Join(", ", names)}], a {Format} file has [{string.Join(", ", Columns)}]");

        var parts = SplitNames.All.ToDictionary(s => s, _ => new List<DatasetRow>());
        var fields = reader.Schema.DataFields;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            var time = new DateTime[n];
            await group.ReadAsync<DateTime>(fields[0], time, cancellationToken: ct);
            var symbol = new string[n];
            await group.ReadAsync(fields[1], symbol, cancellationToken: ct);
            var split = new string[n];
            await group.ReadAsync(fields[2], split, cancellationToken: ct);
            var features = new double?[Features.Length][];
            for (var k = 0; k < features.Length; k++)
            {
                features[k] = new double?[n];
                await group.ReadAsync<double>(fields[3 + k], features[k], cancellationToken: ct);
            }
            var prices = new double[Prices.Length][];
            for (var k = 0; k < prices.Length; k++)
            {
                prices[k] = new double[n];
                await group.ReadAsync<double>(fields[3 + Features.Length + k], prices[k], cancellationToken: ct);
            }
            var asOf = new DateTime?[n];
            await group.ReadAsync<DateTime>(fields[^1], asOf, cancellationToken: ct);
            for (var i = 0; i < n; i++)
            {
                var raw = new double?[Features.Length];
                for (var k = 0; k < raw.Length; k++) raw[k] = features[k][i];
                var snapshot = new FeatureSnapshot(symbol[i], DateTime.SpecifyKind(time[i], DateTimeKind.Utc), raw, prices[3][i],
                    asOf[i] is { } d ? DateOnly.FromDateTime(d) : null);
                DatasetSplit s;
                try { s = SplitNames.Parse(split[i]); }
                catch (ArgumentException e) { throw new InvalidDataException($"{path}: row {i + 1}: {e.Message}"); }
                parts[s].Add(new DatasetRow(snapshot, prices[0][i], prices[1][i], prices[2][i]));
            }
        }
        var dataset = new LearningDataset(meta.Experiment, meta.Symbol, meta.Plan, parts[DatasetSplit.Train], parts[DatasetSplit.Validation],
            parts[DatasetSplit.Test], meta.LeftOut, meta.NormStats) { Sha256 = sha };
        try { dataset.AssertNoLeak(); }
        catch (InvalidOperationException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
        return dataset;
    }

    public static async Task<string> Sha256Async(string path, CancellationToken ct = default)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    // Written by hand in a fixed order: the file's bytes, hence its hash, must not depend on a serializer's choices.
    private static string Metadata(LearningDataset d)
    {
        var sb = new StringBuilder();
        sb.Append("{\"format\":").Append(JsonSerializer.Serialize(Format));
        sb.Append(",\"experiment\":").Append(JsonSerializer.Serialize(d.Experiment));
        sb.Append(",\"symbol\":").Append(JsonSerializer.Serialize(d.Symbol));
        sb.Append(",\"builder_version\":").Append(JsonSerializer.Serialize(FeatureNames.BuilderVersion));
        sb.Append(",\"feature_order_hash\":").Append(JsonSerializer.Serialize(FeatureNames.OrderHash));
        sb.Append(",\"embargo_days\":").Append(d.Plan.EmbargoDays.ToString(CultureInfo.InvariantCulture));
        sb.Append(",\"splits\":{").AppendJoin(",", d.Plan.Ranges.Select(r =>
            $"\"{r.Name}\":{{\"from\":\"{r.From:yyyy-MM-dd}\",\"to\":\"{r.To:yyyy-MM-dd}\"}}")).Append('}');
        sb.Append(",\"left_out\":{").AppendJoin(",", SplitNames.All.Select(s =>
            $"\"{SplitNames.Of(s)}\":{d.LeftOut[s].ToString(CultureInfo.InvariantCulture)}")).Append('}');
        sb.Append(",\"norm_stats\":").Append(d.NormStats.ToJson());
        return sb.Append('}').ToString();
    }

    private sealed record Meta(string Experiment, string Symbol, SplitPlan Plan, IReadOnlyDictionary<DatasetSplit, int> LeftOut, NormStats NormStats);

    private static Meta ParseMetadata(string path, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.GetProperty("format").GetString() != Format)
                throw new InvalidDataException($"{path} is a {root.GetProperty("format").GetString()} file, this Cop reads {Format}");
            if (root.GetProperty("feature_order_hash").GetString() != FeatureNames.OrderHash)
                throw new InvalidDataException($"{path} was built on another feature order");
            var splits = root.GetProperty("splits");
            SplitRange Range(DatasetSplit s) => new(s,
                DateOnly.ParseExact(splits.GetProperty(SplitNames.Of(s)).GetProperty("from").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                DateOnly.ParseExact(splits.GetProperty(SplitNames.Of(s)).GetProperty("to").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture));
            var plan = SplitPlan.Checked(Range(DatasetSplit.Train), Range(DatasetSplit.Validation), Range(DatasetSplit.Test),
                root.GetProperty("embargo_days").GetInt32());
            var leftOut = SplitNames.All.ToDictionary(s => s, s => root.GetProperty("left_out").GetProperty(SplitNames.Of(s)).GetInt32());
            return new Meta(root.GetProperty("experiment").GetString()!, root.GetProperty("symbol").GetString()!, plan, leftOut,
                NormStats.FromJson(root.GetProperty("norm_stats").GetRawText()));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: its '{MetadataKey}' metadata is unreadable: {e.Message}");
        }
    }
}
