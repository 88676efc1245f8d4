using Akka.Actor;
using Akka.Configuration;
using Cop.Actors.Features;
using Cop.Actors.Serialization;
using Cop.Persistence.Stores;
using Cop.Trading.Tests;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Cop.Trading.Features;
using Npgsql;

namespace Cop.Tests.Actors;

/// <summary>The BarSeries actor on a real PostgreSQL: feature store, journal and snapshots.</summary>
[Collection(ActorsCollection.Name)]
public class BarSeriesTests
{
    private const string Symbol = "USD/COP";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static ActorSystem NewSystem(string cs) => Sql.JournaledSystem(cs, "bar-series-test");

    private static Task InsertAsync(string cs, IEnumerable<Bar> bars) => Sql.InsertBarsAsync(cs, bars, Symbol);

    private static async Task<List<(DateTime Time, double?[] Values, DateTime UpdatedAt)>> StoredRowsAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            $"SELECT time, {string.Join(", ", FeatureNames.Ordered)}, updated_at FROM inference_features_5m ORDER BY time", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<(DateTime, double?[], DateTime)>();
        while (await r.ReadAsync())
        {
            var v = new double?[15];
            for (var k = 0; k < 15; k++) v[k] = r.IsDBNull(k + 1) ? null : r.GetDouble(k + 1);
            rows.Add((r.GetDateTime(0), v, r.GetDateTime(16)));
        }
        return rows;
    }

    private static List<FeatureRow> Offline(IEnumerable<Bar> bars)
    {
        var builder = new FeatureBuilder(Symbol, MacroFeatures.Empty);
        return [.. bars.Select(b => builder.Next(b))];
    }

    [Fact]
    public async Task Stored_bars_become_feature_rows_once_and_reprocessing_changes_nothing()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("series");
        var bars = ReferenceIndicators.RandomBars(500);
        await InsertAsync(cs, bars);
        await using var store = new FeatureStore(cs);
        using var system = NewSystem(cs);
        var series = system.ActorOf(BarSeriesSupervisor.Props(store, new BarSeriesSettings { MaxBarsPerUnit = 120 }));

        var done = await series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo(Symbol, "5m", bars[^1].Time), Timeout);
        Assert.Equal(bars[^1].Time, done.LastApplied);
        var stored = await StoredRowsAsync(cs);
        var expected = Offline(bars);
        Assert.Equal(expected.Select(r => r.Time), stored.Select(r => r.Time));
        for (var i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Values(), stored[i].Values);

        // The same unit again, and an older one: answered without work, nothing rewritten.
        var again = await series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo(Symbol, "5m", bars[^1].Time), Timeout);
        var older = await series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo(Symbol, "5m", bars[10].Time), Timeout);
        Assert.Equal((0, 0), (again.BarsBuilt, again.RowsChanged));
        Assert.Equal(0, older.BarsBuilt);
        Assert.Equal(stored.Select(r => r.UpdatedAt), (await StoredRowsAsync(cs)).Select(r => r.UpdatedAt));
    }

    [Fact]
    public async Task A_restarted_series_rebuilds_from_journal_snapshot_and_bars_and_continues_exactly()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("series");
        var bars = ReferenceIndicators.RandomBars(700);
        await InsertAsync(cs, bars.Take(400));
        await using var store = new FeatureStore(cs);
        var settings = new BarSeriesSettings { MaxBarsPerUnit = 150, SnapshotEvery = 250 };
        using (var first = NewSystem(cs))
        {
            var series = first.ActorOf(BarSeriesSupervisor.Props(store, settings));
            await series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo(Symbol, "5m", bars[399].Time), Timeout);
            // Journal entries are written behind the commits; on a loaded machine none may have landed
            // yet. Wait for the first (so the restart does rebuild from the journal), not the rest.
            await Eventually.Until(async () => await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM journal WHERE persistence_id = 'bar-series|USD/COP|5m'") > 0,
                Timeout, "the first journal entry");
            await first.Terminate();
        }

        await InsertAsync(cs, bars.Skip(400));
        using var second = NewSystem(cs);
        var restarted = second.ActorOf(BarSeriesSupervisor.Props(store, settings));
        var state = await restarted.Ask<BarSeries.State>(new BarSeries.GetState(Symbol, "5m"), Timeout);
        // Rebuilt before answering (stashed until ready), up to what the journal recorded: its last
        // entry is written behind the commit, so a shutdown right after the reply may not have it.
        Assert.True(state.Ready);
        var index = Array.FindIndex(bars, b => b.Time == state.LastApplied);
        Assert.InRange(index, 149, 399);   // the units whose entries had landed (at least the first)
        Assert.Equal(index + 1, state.BarsSeen);
        var done = await restarted.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo(Symbol, "5m", bars[^1].Time), Timeout);
        Assert.Equal(699 - index, done.BarsBuilt);

        var stored = await StoredRowsAsync(cs);
        var expected = Offline(bars);
        Assert.Equal(700, stored.Count);
        for (var i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Values(), stored[i].Values);
    }
}
