using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Host.Composition;
using Cop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cop.Tests.EndToEnd;

/// <summary>`cop replay model`: the journal of a model that decided real bars on the live path,
/// read back through Akka.Persistence.Query, against the tables it wrote.</summary>
[Collection(EndToEndCollection.Name)]
public class ReplayTests(ITestOutputHelper output)
{
    private const string Model = BaselinePolicy.ModelId;

    /// <summary>Every column of the model's decision rows and their linked trades, in bar order.</summary>
    private const string Rows = """
        SELECT string_agg(concat_ws(' ', i.symbol, i.bar_time, i.observation_hash, i.action, i.confidence, i.risk_verdict, i.latency_ms,
                                    t.side, t.quantity, t.price, t.fee_bps, t.position_after, t.equity_after), ';' ORDER BY i.bar_time)
               || ' trades=' || (SELECT count(*) FROM trading.trades WHERE model_id = @m)
        FROM trading.model_inferences i LEFT JOIN trading.trades t ON t.id = i.trade_id WHERE i.model_id = @m
        """;

    [Fact]
    public async Task Verify_finds_no_difference_after_the_live_path_names_deleted_rows_and_repair_restores_them_exactly()
    {
        var log = new TestLogger(output);
        var settings = ShippedConfig.Settings();
        var cs = await SharedPostgres.NewDatabaseAsync("replay");
        long bars;
        Cop.Trading.Decisions.PaperAccount live;
        await using (var path = await LivePath.StartAsync(cs, settings, log))
        {
            bars = await path.IngestAsync(maxDays: 30);
            Assert.Equal(bars, await path.DecidedAsync(bars));
            live = (await path.AccountAsync()).Account;
        }
        var trades = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.trades");
        output.WriteLine($"{bars} bars decided, {trades} trades; verdicts: " + await Sql.ScalarAsync<string>(cs,
            "SELECT string_agg(risk_verdict || '=' || n, ', ') FROM (SELECT risk_verdict, count(*) n FROM trading.model_inferences GROUP BY 1) v"));
        Assert.True(trades >= 6, $"only {trades} trades: too few to delete some and cut the history between them");
        var original = await Sql.ScalarAsync<string>(cs, Rows, ("m", Model));

        await using var app = await CopApplication.StartAsync(new CopEnvironment { Settings = settings, ConnectionString = cs, ActorFamilies = false }, "replay");
        await using var db = Npgsql.NpgsqlDataSource.Create(cs);
        var symbol = settings.Trading.Models.Symbol;

        // Undisturbed: the journal and the tables agree, and the account is the running model's.
        var clean = await ModelReplay.RunAsync(app.System, db, Model, symbol, null, verify: true, repair: false);
        Assert.Empty(clean.Differences);
        Assert.Equal(bars, clean.History.Decisions.Count);
        Assert.Equal(live, clean.History.State.Account);

        // Rows lost: three decisions with their trades, two without a trade, and two trades alone.
        var withTrade = await Bars("SELECT bar_time FROM trading.trades WHERE model_id = @m ORDER BY bar_time");
        var withoutTrade = await Bars("SELECT bar_time FROM trading.model_inferences WHERE model_id = @m AND trade_id IS NULL ORDER BY bar_time");
        DateTime[] decisionsGone = [withTrade[0], withTrade[2], withTrade[^1], withoutTrade[5], withoutTrade[^3]];
        DateTime[] tradesGone = [withTrade[0], withTrade[2], withTrade[^1], withTrade[1], withTrade[4]];
        await Sql.ExecAsync(cs, "DELETE FROM trading.model_inferences WHERE model_id = @m AND bar_time = ANY(@t)", ("m", Model), ("t", decisionsGone));
        await Sql.ExecAsync(cs, "DELETE FROM trading.trades WHERE model_id = @m AND bar_time = ANY(@t)", ("m", Model), ("t", tradesGone));

        var found = await ModelReplay.RunAsync(app.System, db, Model, symbol, null, verify: true, repair: false);
        foreach (var d in found.Differences) output.WriteLine(d);
        foreach (var bar in decisionsGone) Assert.Contains(found.Differences, d => d.StartsWith($"{bar:yyyy-MM-dd HH:mm}Z decision row missing"));
        foreach (var bar in tradesGone) Assert.Contains(found.Differences, d => d.StartsWith($"{bar:yyyy-MM-dd HH:mm}Z trade row missing"));
        Assert.Equal(decisionsGone.Length + tradesGone.Length, found.Differences.Count);

        // The CLI says the same, and exits 1.
        var home = Directory.CreateTempSubdirectory("cop-replay-").FullName;
        using (var cop = CopProcess.Start(home, new Dictionary<string, string> { ["COP_DATABASE_URL"] = cs }, "replay", "model", Model, "--verify"))
        {
            Assert.Equal(1, await cop.ExitCodeAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains($"{decisionsGone[0]:yyyy-MM-dd HH:mm}Z decision row missing", cop.Log);
            Assert.Contains($"verify: {found.Differences.Count} differences", cop.Log);
        }

        var repaired = await ModelReplay.RunAsync(app.System, db, Model, symbol, null, verify: true, repair: true);
        Assert.Empty(repaired.Remaining);
        Assert.Equal(7, repaired.Rewritten);   // five decisions, two trades whose decision row stayed
        Assert.Equal(original, await Sql.ScalarAsync<string>(cs, Rows, ("m", Model)));
        // Again: nothing to write, nothing changes.
        var again = await ModelReplay.RunAsync(app.System, db, Model, symbol, null, verify: true, repair: true);
        Assert.Equal((0, 0, 0), (again.Differences.Count, again.Rewritten, again.Relinked));
        Assert.Equal(original, await Sql.ScalarAsync<string>(cs, Rows, ("m", Model)));

        using (var cop = CopProcess.Start(home, new Dictionary<string, string> { ["COP_DATABASE_URL"] = cs }, "replay", "model", Model, "--verify"))
        {
            Assert.Equal(0, await cop.ExitCodeAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains($"verify: no difference between the journal and the tables ({bars} decisions)", cop.Log);
        }

        // --to: the account at a trade in the middle is what that trade's row recorded then.
        var at = withTrade[withTrade.Length / 2];
        var cut = await ModelReplay.RunAsync(app.System, db, Model, symbol, at, verify: true, repair: false);
        Assert.Empty(cut.Differences);
        Assert.Equal(await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences WHERE model_id = @m AND bar_time <= @t", ("m", Model), ("t", at)),
            cut.History.Decisions.Count);
        Assert.Equal(withTrade.Length / 2 + 1, cut.History.State.Account.Trades);
        Assert.Equal(at, cut.History.State.LastBar);
        Assert.Equal(await Sql.ScalarAsync<double>(cs, "SELECT position_after FROM trading.trades WHERE model_id = @m AND bar_time = @t", ("m", Model), ("t", at)),
            cut.History.State.Account.Position);
        Assert.Equal(await Sql.ScalarAsync<double>(cs, "SELECT equity_after FROM trading.trades WHERE model_id = @m AND bar_time = @t", ("m", Model), ("t", at)),
            cut.History.State.Account.Equity);
        Assert.True(cut.History.State.Account.Trades < live.Trades);

        async Task<DateTime[]> Bars(string sql)
        {
            await using var cmd = db.CreateCommand(sql);
            cmd.Parameters.AddWithValue("m", Model);
            var list = new List<DateTime>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) list.Add(r.GetDateTime(0));
            return [.. list];
        }
    }

    [Fact]
    public async Task An_unknown_model_is_named_and_a_bad_time_is_refused_with_exit_2()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("replaybad");
        var home = Directory.CreateTempSubdirectory("cop-replay-").FullName;
        using (var cop = CopProcess.Start(home, new Dictionary<string, string> { ["COP_DATABASE_URL"] = cs }, "replay", "model", "no_such_model", "--verify"))
        {
            var exit = await cop.ExitCodeAsync(TimeSpan.FromSeconds(90));
            output.WriteLine(cop.Log);
            Assert.Equal(2, exit);
            Assert.Contains("model 'no_such_model' has no journal", cop.Log);
        }
        using (var cop = CopProcess.Start(home, new Dictionary<string, string> { ["COP_DATABASE_URL"] = cs }, "replay", "model", Model, "--to", "yesterday"))
        {
            Assert.Equal(2, await cop.ExitCodeAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains("--to 'yesterday' is not a time", cop.Log);
        }
    }
}
