using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Persistence.Macro;
using System.IO.Compression;
using System.Text;
using Akka.Actor;
using Cop.Actors.Features;
using Cop.Actors.Models;
using Cop.Trading.Decisions;
using Cop.Host.Commands;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Streams.Macro;
using Cop.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>
/// Issue 12, items 1 and 3, on real PostgreSQL through the whole path (bar file -> validation ->
/// INSERT -> NOTIFY -> features -> NOTIFY -> the deployed baseline): a forged NOTIFY (any role may
/// call pg_notify) moves no watermark, and a foreign symbol, by the ingester or by a direct INSERT,
/// never takes the real USD/COP bar's decision nor becomes a series or an actor.
/// </summary>
[Collection(EndToEndCollection.Name)]
public class HostileNotifyTests(ITestOutputHelper output)
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data");
    private static readonly string Bars = Path.Combine(Fixtures, "usdcop_m5_2020h1.csv.gz");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const string ForgedBar = """{"symbol":"USD/COP","time":"2030-01-02T14:00:00+00:00","close":4000}""";
    private const string ForgedFeatures =
        """{"symbol":"USD/COP","time":"2030-01-02T14:00:00+00:00","builder_version":"v1","has_all_features":true}""";

    [Theory]
    [InlineData("new_ohlcv_bar", ForgedBar)]
    [InlineData("new_features", ForgedFeatures)]
    public async Task A_forged_notify_is_quarantined_moves_no_watermark_and_later_bars_get_features_and_decisions_also_after_a_restart(
        string channel, string forged)
    {
        var cs = await SharedPostgres.NewDatabaseAsync("forged");
        var log = new TestLogger(output);
        var path = await Path_.StartAsync(cs, log, seed: true);
        try
        {
            var bars = await path.IngestAsync(maxDays: 3);
            await AllDecidedAsync(cs, bars);
            var marks = await SettledWatermarksAsync(cs);

            // As cop_ingester would: any role may call pg_notify.
            await Sql.ExecAsync(cs, "SET ROLE cop_ingester; SELECT pg_notify(@c, @p)", ("c", channel), ("p", forged));
            await Eventually.Until(async () => await Sql.ScalarAsync<long>(cs,
                "SELECT count(*) FROM quarantine WHERE source = @s AND reason_code = 'no_such_row' AND raw_payload = @p",
                ("s", $"notify:{channel}"), ("p", forged)) == 1, Patience, "the forged payload quarantined as no_such_row");
            Assert.Equal(marks, await WatermarksAsync(cs));
            // A payload that is not even JSON has its reason_code too.
            await Sql.ExecAsync(cs, "SELECT pg_notify(@c, 'not json')", ("c", channel));
            await Eventually.Until(async () => await Sql.ScalarAsync<long>(cs,
                "SELECT count(*) FROM quarantine WHERE source = @s AND raw_payload = 'not json' AND reason_code = 'malformed_payload'",
                ("s", $"notify:{channel}")) == 1, Patience, "the malformed payload quarantined as malformed_payload");
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM quarantine WHERE source LIKE 'notify:%' AND reason_code IS NULL"));

            // Real bars after it get their features and decisions ...
            bars += await path.IngestAsync(maxDays: 6);
            await AllDecidedAsync(cs, bars);
            await SettledWatermarksAsync(cs);

            // ... and a restart resumes after the real rows, not after 2030.
            await path.DisposeAsync();
            path = await Path_.StartAsync(cs, log, seed: false);
            bars += await path.IngestAsync(maxDays: 9);
            await AllDecidedAsync(cs, bars);
            await SettledWatermarksAsync(cs);
            Assert.True(await Sql.ScalarAsync<DateTime>(cs, "SELECT max(last_time) FROM system.stream_watermarks") < new DateTime(2021, 1, 1));
        }
        finally { await path.DisposeAsync(); }
    }

    public static TheoryData<string, byte[]> ForeignSymbols => new()
    {
        { "another pair", "EUR/USD"u8.ToArray() },
        { "another case", "usd/cop"u8.ToArray() },
        { "SQL", "'; DROP TABLE usdcop_m5_ohlcv; --"u8.ToArray() },
        { "invalid UTF-8", [.. "USD/C"u8.ToArray(), 0xFF, 0xFE, .. "OP"u8.ToArray()] },
        { "7,800 characters", Encoding.ASCII.GetBytes(new string('X', 7_800)) },
    };

    [Theory]
    [MemberData(nameof(ForeignSymbols))]
    public async Task A_foreign_symbol_is_quarantined_unknown_symbol_and_the_real_bar_at_the_same_time_gets_its_features_and_decision(
        string what, byte[] symbol)
    {
        var cs = await SharedPostgres.NewDatabaseAsync("foreign");
        await using var path = await Path_.StartAsync(cs, new TestLogger(output), seed: true);
        var bars = await path.IngestAsync(maxDays: 3);
        await AllDecidedAsync(cs, bars);

        // The first bar of the fourth day of the sample, under the foreign symbol, arrives first.
        var line = FirstLineOfDay(new DateOnly(2020, 1, 7));
        var file = Path.Combine(Path.GetTempPath(), $"cop-foreign-{Guid.NewGuid():N}.csv");
        var fields = line.Split(',');
        await File.WriteAllBytesAsync(file, [.. Encoding.ASCII.GetBytes(Header + "\n" + fields[0] + ","), .. symbol,
            .. Encoding.ASCII.GetBytes("," + string.Join(',', fields[2..]) + "\n")]);
        var report = await path.IngestFileAsync(file);
        File.Delete(file);
        output.WriteLine($"{what}: read {report.Read}, inserted {report.Inserted}, rejected {string.Join(", ", report.Rejected)}");
        Assert.Equal(0, report.Inserted);
        Assert.Equal(1, report.Rejected.GetValueOrDefault("unknown_symbol"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM quarantine WHERE source = 'test' AND reason_code = 'unknown_symbol'"));

        // Then the real USD/COP bars of that day: the one at the same time is decided like every other.
        bars += await path.IngestAsync(maxDays: 4);
        await AllDecidedAsync(cs, bars);
        var sameTime = await Sql.ScalarAsync<DateTime>(cs, "SELECT min(time) FROM usdcop_m5_ohlcv WHERE time >= '2020-01-07'");
        Assert.Equal(1L, await Sql.ScalarAsync<long>(cs,
            "SELECT count(*) FROM trading.model_inferences WHERE symbol = 'USD/COP' AND bar_time = @t", ("t", sameTime)));
        await AssertNothingForeignAsync(cs, path);
    }

    [Fact]
    public async Task A_foreign_row_inserted_directly_is_quarantined_from_its_notify_and_becomes_no_series_actor_or_decision()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("foreignrow");
        await using var path = await Path_.StartAsync(cs, new TestLogger(output), seed: true);
        var bars = await path.IngestAsync(maxDays: 3);
        await AllDecidedAsync(cs, bars);
        var marks = await SettledWatermarksAsync(cs);

        // Another route than the ingester: INSERT (the trigger then announces the rows), on both tables.
        // The time of the first real bar of the next day in the sample.
        var t = new DateTime(2020, 1, 7, 13, 10, 0, DateTimeKind.Utc);
        foreach (var symbol in new[] { "EUR/USD", new string('X', 7_800) })
        {
            await Sql.ExecAsync(cs, "INSERT INTO usdcop_m5_ohlcv (symbol, time, open, high, low, close, source) VALUES (@s, @t, 4000, 4001, 3999, 4000, 'psql')",
                ("s", symbol), ("t", t));
            // (The feature trigger's payload cannot carry the 7,800-character symbol: NOTIFY's 8,000-byte limit.)
            if (symbol.Length < 100)
                await Sql.ExecAsync(cs, "INSERT INTO inference_features_5m (symbol, time, log_ret_5m, rsi_9, time_normalized) VALUES (@s, @t, 0.001, 55, 0.5)",
                    ("s", symbol), ("t", t));
        }
        await Eventually.Until(async () => await Sql.ScalarAsync<long>(cs,
            "SELECT count(*) FROM quarantine WHERE source IN ('notify:new_ohlcv_bar', 'notify:new_features') AND reason_code = 'unknown_symbol'") == 3,
            Patience, "three unknown_symbol quarantine rows");
        Assert.Equal(marks, await WatermarksAsync(cs));
        await AssertNothingForeignAsync(cs, path, foreignRowsStored: true);

        // Asked directly for the foreign feature row: no model trades EUR/USD, and the model itself refuses it.
        var answer = await path.Trading.Models.Ask<DeployedModelSupervisor.BarDecisions>(
            new DeployedModelSupervisor.DecideBar("EUR/USD", t, null, TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(15));
        Assert.Empty(answer.Decided);
        Assert.Empty(answer.Failed);
        var model = await path.System.ActorSelection($"/user/models/{BaselinePolicy.ModelId}/model").ResolveOne(TimeSpan.FromSeconds(5));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() =>
            model.Ask<DeployedModel.BarDecided>(new DeployedModel.DecideBar("EUR/USD", t, null), TimeSpan.FromSeconds(10)));
        Assert.Contains("trades USD/COP", refused.Message);

        // The real bar at that time still gets its features and decision.
        bars += await path.IngestAsync(maxDays: 4);
        await AllDecidedAsync(cs, bars);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM usdcop_m5_ohlcv WHERE symbol = 'USD/COP' AND time = @t", ("t", t)));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(cs,
            "SELECT count(*) FROM trading.model_inferences WHERE symbol = 'USD/COP' AND bar_time = @t", ("t", t)));
        await AssertNothingForeignAsync(cs, path, foreignRowsStored: true);
    }

    [Fact]
    public async Task A_model_whose_journal_holds_another_symbols_decision_still_decides_its_own_bar_at_that_time()
    {
        // What an older version left in a journal: the model decided a foreign row at the time of a real bar.
        await using var m = await Cop.Tests.Actors.DeployedModelTests.Market.CreateAsync(80);
        var t = m.Bars[70].Time;
        await Sql.ExecAsync(m.Cs, """
            CREATE TEMP TABLE foreign_bar AS SELECT * FROM usdcop_m5_ohlcv WHERE symbol = 'USD/COP' AND time = @t;
            UPDATE foreign_bar SET symbol = 'EUR/USD';
            INSERT INTO usdcop_m5_ohlcv SELECT * FROM foreign_bar;
            CREATE TEMP TABLE foreign_row AS SELECT * FROM inference_features_5m WHERE symbol = 'USD/COP' AND time = @t;
            UPDATE foreign_row SET symbol = 'EUR/USD';
            INSERT INTO inference_features_5m SELECT * FROM foreign_row;
            """, ("t", t));
        IActorRef Start(ActorSystem system, string symbol) => system.ActorOf(DeployedModel.Props("journaled", () => PolicySession.Load(m.Baseline.FilePath, m.Baseline.FileSha256),
            NormStats.FromJson(m.Baseline.NormStatsJson), new ModelSettings { Symbol = symbol }, new FeatureReader(m.Db), new DecisionStore(m.Db), killSwitch: false));
        using (var system = Sql.JournaledSystem(m.Cs, "old"))
        {
            var decided = await Start(system, "EUR/USD").Ask<DeployedModel.BarDecided>(new DeployedModel.DecideBar("EUR/USD", t, null), Patience);
            Assert.False(decided.Duplicate);
        }
        using (var system = Sql.JournaledSystem(m.Cs, "new"))
        {
            var model = Start(system, "USD/COP");
            var decided = await model.Ask<DeployedModel.BarDecided>(new DeployedModel.DecideBar("USD/COP", t, null), Patience);
            Assert.False(decided.Duplicate);   // the foreign decision at t is no reason to skip USD/COP at t
            await Assert.ThrowsAnyAsync<ArgumentException>(() => model.Ask<DeployedModel.BarDecided>(new DeployedModel.DecideBar("EUR/USD", m.Bars[75].Time, null), Patience));
        }
        Assert.Equal(1L, await Sql.ScalarAsync<long>(m.Cs, "SELECT count(*) FROM trading.model_inferences WHERE model_id = 'journaled' AND symbol = 'USD/COP'"));
    }

    [Fact]
    public async Task A_watermark_a_forged_notify_left_in_2030_goes_back_to_the_newest_processed_row_when_migrating()
    {
        // A database an older version left behind: forged NOTIFYs moved both watermarks to 2030.
        var cs = await SharedPostgres.NewDatabaseAsync("repair");
        DatabaseMigrator.Rollback(cs, keepThrough: "034");
        await Sql.InsertBarsAsync(cs, 0, 10);
        await Sql.ExecAsync(cs, """
            INSERT INTO inference_features_5m (symbol, time, log_ret_5m) SELECT 'USD/COP', time, 0 FROM usdcop_m5_ohlcv WHERE time <= @t
            """, ("t", Sql.BarTime(5)));
        foreach (var (model, upTo) in new[] { ("a", 3), ("b", 2) })
            await Sql.ExecAsync(cs, """
                INSERT INTO trading.model_inferences (model_id, symbol, bar_time, observation_hash, action, confidence, risk_verdict)
                SELECT @m, 'USD/COP', time, repeat('0', 64), 'HOLD', 1, 'Approved' FROM usdcop_m5_ohlcv WHERE time <= @t
                """, ("m", model), ("t", Sql.BarTime(upTo)));
        await Sql.ExecAsync(cs, """
            INSERT INTO system.stream_watermarks (consumer, symbol, last_time) VALUES
              ('feature-builder', 'USD/COP', '2030-01-02 14:00+00'), ('decision-maker', 'USD/COP', '2030-01-02 14:00+00')
            """);

        DatabaseMigrator.Apply(cs);

        Assert.Equal([("decision-maker", "USD/COP", Sql.BarTime(2)), ("feature-builder", "USD/COP", Sql.BarTime(5))], await WatermarksAsync(cs));
    }

    private static async Task AssertNothingForeignAsync(string cs, Path_ path, bool foreignRowsStored = false)
    {
        if (!foreignRowsStored)
        {
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM usdcop_m5_ohlcv WHERE symbol <> 'USD/COP'"));
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM inference_features_5m WHERE symbol <> 'USD/COP'"));
        }
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences WHERE symbol <> 'USD/COP'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM system.stream_watermarks WHERE symbol <> 'USD/COP'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM system.dead_letter_queue"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM journal WHERE persistence_id LIKE 'bar-series%' AND persistence_id <> 'bar-series|USD/COP|5m'"));
        var series = await path.Features.BarSeries.Ask<BarSeriesSupervisor.SeriesList>(new BarSeriesSupervisor.ListSeries(), TimeSpan.FromSeconds(5));
        Assert.Equal(["USD/COP|5m"], series.Series);
    }

    private const string Header = "time,symbol,open,high,low,close,volume,source,created_at,updated_at";

    private static string FirstLineOfDay(DateOnly day)
    {
        using var input = new StreamReader(new GZipStream(File.OpenRead(Bars), CompressionMode.Decompress));
        while (input.ReadLine() is { } line)
            if (line.StartsWith(day.ToString("yyyy-MM-dd"))) return line;
        throw new InvalidOperationException($"no bar on {day} in the sample");
    }

    /// <summary>Every stored USD/COP bar has exactly one decision, and every feature row too.</summary>
    private static Task AllDecidedAsync(string cs, long bars) => Eventually.Until(async () =>
        await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM inference_features_5m WHERE symbol = 'USD/COP'") == bars &&
        await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences WHERE symbol = 'USD/COP'") == bars,
        TimeSpan.FromSeconds(60), $"{bars} USD/COP bars with features and one decision each");

    private static async Task<List<(string, string, DateTime)>> WatermarksAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT consumer, symbol, last_time FROM system.stream_watermarks ORDER BY consumer, symbol", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, string, DateTime)>();
        while (await r.ReadAsync()) rows.Add((r.GetString(0), r.GetString(1), r.GetDateTime(2)));
        return rows;
    }

    /// <summary>Waits until the watermarks (committed a little after the work) stand at the newest real rows.</summary>
    private static async Task<List<(string, string, DateTime)>> SettledWatermarksAsync(string cs)
    {
        await Eventually.Until(async () => (await WatermarksAsync(cs)).SequenceEqual(await NewestRowsAsync(cs)), Patience, "watermarks at the newest real rows");
        return await WatermarksAsync(cs);
    }

    /// <summary>What the watermarks must be once everything is processed: the newest real rows.</summary>
    private static async Task<List<(string, string, DateTime)>> NewestRowsAsync(string cs) =>
    [
        (TradingWiring.Consumer, "USD/COP", await Sql.ScalarAsync<DateTime>(cs, "SELECT max(time) FROM inference_features_5m WHERE symbol = 'USD/COP'")),
        (FeatureWiring.Consumer, "USD/COP", await Sql.ScalarAsync<DateTime>(cs, "SELECT max(time) FROM usdcop_m5_ohlcv WHERE symbol = 'USD/COP'")),
    ];

    /// <summary>The path as `cop run` wires it, on one database: macro seeded, the baseline deployed.</summary>
    private sealed class Path_ : IAsyncDisposable
    {
        private readonly CopSettings _settings;
        private readonly string _cs;
        private readonly NpgsqlDataSource _db;
        private readonly CopApplication _app;
        private int _disposed;
        public FeatureWiring Features => _app.Runtime.Features!;
        public TradingWiring Trading => _app.Runtime.Trading!;
        public ActorSystem System => _app.System;

        private Path_(CopSettings settings, string cs, NpgsqlDataSource db, CopApplication app) =>
            (_settings, _cs, _db, _app) = (settings, cs, db, app);

        public static async Task<Path_> StartAsync(string cs, TestLogger log, bool seed)
        {
            var settings = ShippedConfig.Settings();
            var db = NpgsqlDataSource.Create(cs);
            if (seed)
            {
                await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Path.Combine(Fixtures, "macro_indicators_daily_2019_2020.csv.gz")]);
                await ModelRegistration.RegisterBaselineAsync(new ModelRegistryStore(db), Path.Combine(Path.GetTempPath(), $"cop-models-{Guid.NewGuid():N}"), deploy: true);
            }
            var app = await CopApplication.StartAsync(new CopEnvironment { Settings = settings, ConnectionString = cs, Log = log }, "hostile");
            Assert.Equal(1, await app.Runtime.Trading!.WaitForModelsAsync(1, TimeSpan.FromSeconds(20)));
            return new Path_(settings, cs, db, app);
        }

        /// <summary>The sample's first days (bars already stored are quarantined as duplicates); returns the bars newly stored.</summary>
        public async Task<long> IngestAsync(int maxDays) => (await IngestFileAsync(Bars, maxDays)).Inserted;

        public async Task<IngestReport> IngestFileAsync(string file, int? maxDays = null)
        {
            await using var bars = new BarStore(_cs);
            var ingester = new BarIngester(bars, new QuarantineStore(_db), _settings.Validation, "test");
            return await ingester.IngestFileAsync(file, DateTime.UtcNow, maxDays: maxDays);
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            await _app.DisposeAsync();
            await _db.DisposeAsync();
        }
    }
}
