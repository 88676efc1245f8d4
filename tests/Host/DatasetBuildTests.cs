using System.Diagnostics;
using System.Text;
using Cop.Host.Application;
using Cop.Persistence.Learning;
using Cop.Persistence.Objects;
using Cop.Persistence.Stores;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Cop.Trading.Decisions;
using Cop.Trading.Features;
using Cop.Trading.Learning;
using DuckDB.NET.Data;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.Host;

/// <summary>
/// `cop dataset build` on real data: the bundled 2020h1 bars and daily macro through the real
/// ingestion and feature path on PostgreSQL (<see cref="SampleFeatureStore"/>), the small
/// experiment tests/Fixtures/experiments/sample-2020h1.conf. The splits, the rows left out, the
/// norm_stats and the Parquet file are each checked against a computation that does not use the
/// code under test (SQL on the feature store, DuckDB on the file).
/// </summary>
[Collection(HostCollection.Name)]
public class DatasetBuildTests(SampleFeatureStore sample, S3rverFixture s3, ITestOutputHelper output)
    : IClassFixture<SampleFeatureStore>, IClassFixture<S3rverFixture>, IDisposable
{
    private const string Symbol = "USD/COP";
    private static readonly string ExperimentFile = Path.Combine(AppContext.BaseDirectory, "Fixtures", "experiments", "sample-2020h1.conf");
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cop-dataset-{Guid.NewGuid():N}")).FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static DatasetExperiment Experiment() => DatasetExperiment.Load(ExperimentFile, InstrumentCatalogue.UsdCop);

    private async Task<DatasetBuild.Result> BuildAsync(IObjectStore store, string? version = null, DatasetExperiment? experiment = null)
    {
        await using var db = NpgsqlDataSource.Create(sample.ConnectionString);
        var result = await DatasetBuild.RunAsync(db, store, experiment ?? Experiment(), version);
        output.WriteLine($"built {result.Dataset.Version}: {string.Join(", ", SplitNames.All.Select(s => $"{SplitNames.Of(s)} {result.Dataset[s].Count} (+{result.Dataset.LeftOut[s]} NULL)"))}, " +
                         $"{result.Bytes:N0} bytes in {result.Elapsed.TotalMilliseconds:F0} ms");
        return result;
    }

    /// <summary>Learnable rows (every feature but position present) and the rest, per split, counted by SQL alone.</summary>
    private async Task<(long Rows, long LeftOut)> CountAsync(SplitRange range)
    {
        var present = string.Join(" AND ", FeatureNames.Ordered.Where(n => n != "position").Select(n => $"f.{n} IS NOT NULL"));
        var sql = $"""
            SELECT count(*) FILTER (WHERE {present}), count(*) FILTER (WHERE NOT ({present}))
              FROM inference_features_5m f JOIN usdcop_m5_ohlcv b USING (symbol, time)
             WHERE f.symbol = @s AND (f.time AT TIME ZONE 'America/Bogota')::date BETWEEN @from AND @to
            """;
        await using var conn = new NpgsqlConnection(sample.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("s", Symbol);
        cmd.Parameters.AddWithValue("from", range.From);
        cmd.Parameters.AddWithValue("to", range.To);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    [Fact]
    public async Task The_sample_splits_with_an_embargo_and_no_overlap_and_each_row_is_what_a_live_model_reads()
    {
        var d = (await BuildAsync(new LocalObjectStore(Path.Combine(_dir, "objects")))).Dataset;
        Assert.True(sample.Ingest.Inserted > 5000, $"{sample.Ingest.Inserted} bars stored");

        foreach (var s in SplitNames.All)
        {
            Assert.NotEmpty(d[s]);
            Assert.All(d[s], row => Assert.Equal(s, d.Plan.SplitOf(row.Time)));
            Assert.All(d[s], row => Assert.True(row.IsLearnable));
            var (rows, leftOut) = await CountAsync(d.Plan[s]);
            Assert.Equal((rows, leftOut), ((long)d[s].Count, (long)d.LeftOut[s]));
        }
        // The warm-up at the start of the sample has NULL features: they are counted, not learned from.
        Assert.True(d.LeftOut[DatasetSplit.Train] > 0, "the first bars of the sample have NULL features");
        // Train < validation < test, with the embargo's trading days between the last and first bars.
        Assert.True(d.Train[^1].Time < d.Validation[0].Time && d.Validation[^1].Time < d.Test[0].Time);
        Assert.True(d.RowEmbargo(DatasetSplit.Train) >= 2, $"{d.RowEmbargo(DatasetSplit.Train)} trading days between train and validation");
        Assert.True(d.RowEmbargo(DatasetSplit.Validation) >= 2, $"{d.RowEmbargo(DatasetSplit.Validation)} trading days between validation and test");
        var embargoed = new[] { new DateOnly(2020, 4, 1), new DateOnly(2020, 4, 2), new DateOnly(2020, 5, 18), new DateOnly(2020, 5, 19) };
        Assert.DoesNotContain(SplitNames.All.SelectMany(s => d[s]), row => embargoed.Contains(TradingSession.BogotaDate(row.Time)));

        // Each row is the snapshot the live feature read gives a deployed model (readiness included).
        await using var db = NpgsqlDataSource.Create(sample.ConnectionString);
        var live = (await new FeatureReader(db).ReadSinceAsync(DateTime.MinValue.ToUniversalTime())).ToDictionary(f => f.BarTime);
        foreach (var row in SplitNames.All.SelectMany(s => d[s]))
        {
            var seen = live[row.Time];
            Assert.Equal(seen.Raw, row.Features.Raw);
            Assert.Equal((seen.Symbol, seen.Close, seen.MacroAsOf), (row.Features.Symbol, row.Close, row.Features.MacroAsOf));
            Assert.Equal(MarketReadiness.Of(seen.BarTime, seen.Raw, seen.MacroAsOf, TimeSpan.FromDays(7)),
                MarketReadiness.Of(row.Time, row.Features.Raw, row.Features.MacroAsOf, TimeSpan.FromDays(7)));
        }
        // And the OHLC is the stored bar's.
        var first = d.Validation[0];
        Assert.Equal(first.Open, await Sql.ScalarAsync<double>(sample.ConnectionString, "SELECT open FROM usdcop_m5_ohlcv WHERE time = @t", ("t", first.Time)));
        Assert.Equal(first.Low, await Sql.ScalarAsync<double>(sample.ConnectionString, "SELECT low FROM usdcop_m5_ohlcv WHERE time = @t", ("t", first.Time)));
    }

    [Fact]
    public async Task Norm_stats_equal_mean_and_sample_std_computed_by_PostgreSQL_over_the_train_rows()
    {
        var result = await BuildAsync(new LocalObjectStore(Path.Combine(_dir, "objects")));
        var plan = result.Dataset.Plan;
        var present = string.Join(" AND ", FeatureNames.Ordered.Where(n => n != "position").Select(n => $"{n} IS NOT NULL"));
        var stats = NormStats.FromJson(result.Run.NormStatsJson);
        var mine = NormStats.FromJson(result.Dataset.NormStats.ToJson());
        Assert.Equal(stats.Hash, mine.Hash);
        var expected = new List<FeatureStat>();
        foreach (var name in FeatureNames.Ordered)
        {
            await using var conn = new NpgsqlConnection(sample.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"""
                SELECT avg({name}), stddev_samp({name}) FROM inference_features_5m
                 WHERE symbol = @s AND {present} AND (time AT TIME ZONE 'America/Bogota')::date BETWEEN @from AND @to
                """, conn);
            cmd.Parameters.AddWithValue("s", Symbol);
            cmd.Parameters.AddWithValue("from", plan.Train.From);
            cmd.Parameters.AddWithValue("to", plan.Train.To);
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            expected.Add(name == "position"
                ? new FeatureStat(0, 1)   // the model's own position, not learned (NormStatistics); the stored placeholder is 0 throughout
                : new FeatureStat(r.GetDouble(0), r.GetDouble(1)));
            if (name == "position") Assert.Equal((0.0, 0.0), (r.GetDouble(0), r.GetDouble(1)));
        }
        // The dataset's JSON against the independent numbers, feature by feature.
        using var json = System.Text.Json.JsonDocument.Parse(result.Run.NormStatsJson);
        for (var k = 0; k < FeatureNames.Count; k++)
        {
            var s = json.RootElement.GetProperty(FeatureNames.Ordered[k]);
            double mean = s.GetProperty("mean").GetDouble(), std = s.GetProperty("std").GetDouble();
            Assert.True(Math.Abs(mean - expected[k].Mean) <= 1e-9 * Math.Max(1, Math.Abs(expected[k].Mean)), $"{FeatureNames.Ordered[k]} mean {mean} vs {expected[k].Mean}");
            Assert.True(Math.Abs(std - expected[k].Std) <= 1e-9 * Math.Max(1, expected[k].Std), $"{FeatureNames.Ordered[k]} std {std} vs {expected[k].Std}");
            if (FeatureNames.Ordered[k] != "position") Assert.True(std > 0, $"{FeatureNames.Ordered[k]} varies over train");
        }
    }

    [Fact]
    public async Task DuckDB_reads_the_file_with_the_expected_schema_row_counts_and_time_ranges()
    {
        var result = await BuildAsync(new LocalObjectStore(Path.Combine(_dir, "objects")));
        var d = result.Dataset;
        var path = result.Run.Path;
        Assert.True(File.Exists(path), path);
        await using var duck = new DuckDBConnection("Data Source=:memory:");
        await duck.OpenAsync();
        var file = path.Replace("'", "''");

        var schema = new List<(string Name, string Type)>();
        await using (var cmd = duck.CreateCommand())
        {
            cmd.CommandText = $"DESCRIBE SELECT * FROM read_parquet('{file}')";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) schema.Add((r.GetString(0), r.GetString(1)));
        }
        (string, string)[] expected =
        [
            ("time", "TIMESTAMP WITH TIME ZONE"), ("symbol", "VARCHAR"), ("split", "VARCHAR"),
            .. FeatureNames.Ordered.Select(n => (n, "DOUBLE")),
            ("open", "DOUBLE"), ("high", "DOUBLE"), ("low", "DOUBLE"), ("close", "DOUBLE"), ("macro_as_of", "DATE"),
        ];
        Assert.Equal(expected, schema);

        var seen = new Dictionary<string, (long Rows, long First, long Last, long Nulls)>();
        await using (var cmd = duck.CreateCommand())
        {
            var nulls = string.Join(" + ", FeatureNames.Ordered.Where(n => n != "position").Select(n => $"count(*) FILTER (WHERE {n} IS NULL)"));
            cmd.CommandText = $"SELECT split, count(*), epoch_us(min(time)), epoch_us(max(time)), {nulls} FROM read_parquet('{file}') GROUP BY split";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) seen[r.GetString(0)] = (Convert.ToInt64(r.GetValue(1)), Convert.ToInt64(r.GetValue(2)), Convert.ToInt64(r.GetValue(3)), Convert.ToInt64(r.GetValue(4)));
        }
        static long Us(DateTime t) => (t - DateTime.UnixEpoch).Ticks / 10;
        Assert.Equal(["test", "train", "validation"], seen.Keys.Order());
        foreach (var s in SplitNames.All)
            Assert.Equal((d[s].Count, Us(d.Span(s).First), Us(d.Span(s).Last), 0L), seen[SplitNames.Of(s)]);

        await using (var cmd = duck.CreateCommand())
        {
            cmd.CommandText = $"SELECT decode(value) FROM parquet_kv_metadata('{file}') WHERE decode(key) = 'cop.dataset'";
            var meta = (string)(await cmd.ExecuteScalarAsync())!;
            Assert.Contains(d.NormStats.ToJson(), meta);
            Assert.Contains("\"embargo_days\":2", meta);
        }
    }

    [Fact]
    public async Task Rebuilding_gives_the_same_file_hash_and_version_and_the_file_reads_back_as_built()
    {
        var first = await BuildAsync(new LocalObjectStore(Path.Combine(_dir, "one")));
        var again = await BuildAsync(new LocalObjectStore(Path.Combine(_dir, "two")));
        Assert.Equal(first.Dataset.Sha256, again.Dataset.Sha256);
        Assert.Equal(first.Dataset.Version, again.Dataset.Version);
        Assert.Equal(DatasetBuild.DefaultVersion(first.Dataset.Sha256!), first.Dataset.Version);
        Assert.False(again.Recorded, "the second build of the same data is the recorded version");
        Assert.Equal(await File.ReadAllBytesAsync(first.Run.Path), await File.ReadAllBytesAsync(again.Run.Path));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(sample.ConnectionString, "SELECT count(*) FROM experiment_runs WHERE version = @v", ("v", first.Dataset.Version!)));

        var read = await DatasetFile.ReadAsync(again.Run.Path);
        Assert.Equal(first.Dataset.Sha256, read.Sha256);
        Assert.Equal(first.Dataset.NormStats.Hash, read.NormStats.Hash);
        Assert.Equal(first.Dataset.Plan, read.Plan);
        foreach (var s in SplitNames.All)
        {
            Assert.Equal(first.Dataset.LeftOut[s], read.LeftOut[s]);
            Assert.Equal(first.Dataset[s].Count, read[s].Count);
            for (var i = 0; i < read[s].Count; i++)
            {
                var (a, b) = (first.Dataset[s][i], read[s][i]);
                Assert.Equal((a.Time, a.Time.Kind, a.Open, a.High, a.Low, a.Close), (b.Time, b.Time.Kind, b.Open, b.High, b.Low, b.Close));
                Assert.Equal((a.Features.Symbol, a.Features.MacroAsOf), (b.Features.Symbol, b.Features.MacroAsOf));
                Assert.Equal(a.Features.Raw, b.Features.Raw);
            }
        }

        // A version label already holding other data is refused, and its file is left as it was.
        var other = Experiment() with { Plan = SplitPlan.Checked(first.Dataset.Plan.Train with { To = new DateOnly(2020, 3, 20) }, first.Dataset.Plan.Validation, first.Dataset.Plan.Test, 2) };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => BuildAsync(new LocalObjectStore(Path.Combine(_dir, "one")), first.Dataset.Version, other));
        Assert.Contains($"already has a dataset version {first.Dataset.Version}", e.Message);
        Assert.Equal(first.Dataset.Sha256, await DatasetFile.Sha256Async(first.Run.Path));
    }

    [Fact]
    public async Task The_build_puts_its_file_in_an_S3_bucket_and_a_trainer_loads_it_back_checked()
    {
        using var bucket = new S3ObjectStore(s3.Settings);
        var built = await BuildAsync(bucket, version: "s3-check");
        Assert.Equal($"s3://{S3rverFixture.Bucket}/ml-datasets/sample-2020h1/s3-check/dataset.parquet", built.Run.Path);
        Assert.Contains(await bucket.ListAsync("ml-datasets/sample-2020h1/s3-check/"), o => o.Key.EndsWith("dataset.parquet") && o.Size == built.Bytes);

        await using var db = NpgsqlDataSource.Create(sample.ConnectionString);
        var (run, loaded) = await ExperimentDatasets.LoadAsync(new ExperimentStore(db), bucket, "sample-2020h1", "s3-check", Path.Combine(_dir, "cache"));
        Assert.Equal(built.Dataset.Sha256, loaded.Sha256);
        Assert.Equal("s3-check", loaded.Version);
        Assert.Equal(run.Sha256, loaded.Sha256);
        Assert.Equal(built.Dataset.Train.Count, loaded.Train.Count);
        Assert.Equal(built.Dataset.Test[^1].Time, loaded.Test[^1].Time);
        Assert.Equal(built.Dataset[DatasetSplit.Validation].Count, run[DatasetSplit.Validation].Rows);

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ExperimentDatasets.LoadAsync(new ExperimentStore(db), bucket, "sample-2020h1", "nope", Path.Combine(_dir, "cache")));
        Assert.Contains("has no dataset version nope", missing.Message);
    }

    // ---- the command, as the `cop` process ----------------------------------------------------

    [Fact]
    public async Task Cop_dataset_build_and_experiments_run_on_a_database_named_by_option()
    {
        // The configured database is an empty one; --database names the filled one on the same server,
        // as `--database cop_demo` does after the demo.
        var empty = await SharedPostgres.NewDatabaseAsync("dsempty");
        var name = new NpgsqlConnectionStringBuilder(sample.ConnectionString).Database!;
        var objects = Path.Combine(_dir, "cli-objects");

        var built = await CopAsync(["dataset", "build", "--experiment", ExperimentFile, "--database", name, "--version", "cli"], empty, ("COP_OBJECTS_DIR", objects));
        Assert.True(built.ExitCode == 0, built.Output);
        Assert.Contains("recorded in experiment_runs as sample-2020h1 cli", built.Output);
        Assert.Contains("anti-leakage", built.Output);
        Assert.True(File.Exists(Path.Combine(objects, "ml-datasets", "sample-2020h1", "cli", "dataset.parquet")));

        var show = await CopAsync(["experiments", "show", "sample-2020h1", "--database", name], empty);
        Assert.True(show.ExitCode == 0, show.Output);
        Assert.Contains("cli", show.Output);
        Assert.Contains("sample-2020h1: datasets", show.Output);
        Assert.Contains("validation", show.Output);
        Assert.Contains("no model trained yet", show.Output);
        var list = await CopAsync(["experiments", "list", "--database", name], empty);
        Assert.Contains("sample-2020h1", list.Output);

        // A model trained on that version (what cop train records) shows with its figures and the baselines'.
        await using (var db = NpgsqlDataSource.Create(sample.ConnectionString))
            await new ExperimentStore(db).RecordTrainedModelAsync(new TrainedModelRecord("sample-2020h1", "cli", "ppo_sample", "1",
                Path.Combine(objects, "ml-models", "sample-2020h1", "1", "policy.onnx"), new string('e', 64), 7, 4096, 12.3,
                [new PolicyFigures("model", 0.0125, 0.91, 0.034, 41), new PolicyFigures("flat", 0, 0, 0, 0), new PolicyFigures("buy_and_hold", -0.021, -0.5, 0.08, 1)], null));
        var withModel = await CopAsync(["experiments", "show", "sample-2020h1", "--database", name], empty);
        Assert.True(withModel.ExitCode == 0, withModel.Output);
        Assert.Contains("ppo_sample 1", withModel.Output);
        Assert.Contains("1.25 %", withModel.Output);
        Assert.Contains("buy_and_hold", withModel.Output);
        Assert.Contains("-2.10 %", withModel.Output);

        var nothing = await CopAsync(["experiments", "show", "nosuch", "--database", name], empty);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Contains("experiment nosuch has no dataset and no model", nothing.Fatal);
        var noDb = await CopAsync(["experiments", "list", "--database", "no_such_db"], empty);
        Assert.Equal(2, noDb.ExitCode);
        Assert.Contains("database no_such_db does not exist", noDb.Fatal);
    }

    [Fact]
    public async Task Cop_dataset_build_puts_the_file_in_the_S3_bucket_the_environment_names()
    {
        var r = await CopAsync(["dataset", "build", "--experiment", ExperimentFile, "--version", "cli-s3"], sample.ConnectionString,
            ("COP_OBJECT_STORE", "s3"), ("COP_S3_BUCKET", S3rverFixture.Bucket), ("COP_S3_ENDPOINT", s3.Settings.Endpoint!),
            ("COP_S3_ACCESS_KEY", s3.Settings.AccessKey), ("COP_S3_SECRET_KEY", s3.Settings.SecretKey));
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains($"s3://{S3rverFixture.Bucket}/ml-datasets/sample-2020h1/cli-s3/dataset.parquet", r.Output);
        using var bucket = new S3ObjectStore(s3.Settings);
        var stored = Assert.Single(await bucket.ListAsync("ml-datasets/sample-2020h1/cli-s3/"));
        var copy = Path.Combine(_dir, "from-s3.parquet");
        await bucket.GetFileAsync(stored.Key, copy);
        Assert.Equal(await Sql.ScalarAsync<string>(sample.ConnectionString, "SELECT dataset_hash FROM experiment_runs WHERE version = 'cli-s3'"),
            await DatasetFile.Sha256Async(copy));
    }

    public static TheoryData<string, string, string> BadExperiments => new()
    {
        { "missing", "", "experiment 'nosuch' not found: give a name in hocon/experiments/ (default" },
        { "garbage", "experiment { dataset { {{{ ]]] = =\n", "is not valid HOCON: line 1" },
        { "overlap", Splits("2020-01-02", "2020-04-15", "2020-04-03", "2020-05-15", "2020-05-20", "2020-06-30"),
            "splits train (2020-01-02..2020-04-15) and validation (2020-04-03..2020-05-15) overlap" },
        { "touching", Splits("2020-01-02", "2020-03-31", "2020-04-01", "2020-05-15", "2020-05-20", "2020-06-30"),
            "splits train (2020-01-02..2020-03-31) and validation (2020-04-01..2020-05-15) leak: 0 trading day(s) between them, the embargo is 2" },
        { "weekend", Splits("2020-01-02", "2020-03-31", "2020-04-04", "2020-04-05", "2020-05-20", "2020-06-30"),
            "split validation (2020-04-04..2020-04-05) is empty: it holds no trading day" },
        { "no-data", Splits("2020-01-02", "2020-03-31", "2020-04-03", "2020-05-15", "2021-01-04", "2021-02-26"),
            "split test (2021-01-04..2021-02-26) has no complete feature rows for USD/COP" },
        { "bad-date", Splits("2020-01-02", "2020-02-30", "2020-04-03", "2020-05-15", "2020-05-20", "2020-06-30"),
            "experiment.dataset.splits.train.to = '2020-02-30' is not a date (yyyy-MM-dd)" },
    };

    private static string Splits(string a, string b, string c, string d, string e, string f) => $$"""
        experiment {
          dataset {
            splits {
              train      { from = "{{a}}", to = "{{b}}" }
              validation { from = "{{c}}", to = "{{d}}" }
              test       { from = "{{e}}", to = "{{f}}" }
            }
            embargo-days = 2
          }
        }
        """;

    [Theory]
    [MemberData(nameof(BadExperiments))]
    public async Task A_bad_experiment_is_one_line_naming_what_is_wrong_and_exit_2_with_nothing_recorded(string kind, string text, string message)
    {
        var experiment = "nosuch";
        if (text.Length > 0)
        {
            experiment = Path.Combine(_dir, $"{kind}.conf");
            await File.WriteAllTextAsync(experiment, text);
        }
        var before = await Sql.ScalarAsync<long>(sample.ConnectionString, "SELECT count(*) FROM experiment_runs");
        var r = await CopAsync(["dataset", "build", "--experiment", experiment], sample.ConnectionString, ("COP_OBJECTS_DIR", Path.Combine(_dir, "bad")));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Fatal);
        Assert.Single(r.Fatal.Split('\n'));
        Assert.Equal(before, await Sql.ScalarAsync<long>(sample.ConnectionString, "SELECT count(*) FROM experiment_runs"));
        Assert.False(Directory.Exists(Path.Combine(_dir, "bad")), "nothing was put in the object store");
    }

    private Task<CopProcess.Result> CopAsync(string[] args, string database, params (string Name, string Value)[] env) =>
        CopProcess.RunAsync(_dir, database, args, output, env);
}
