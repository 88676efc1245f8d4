using Akka.Actor;
using Akka.Configuration;
using Cop.Actors.Features;
using Cop.Actors.Serialization;
using Cop.Trading.Tests;
using Cop.Trading;
using Cop.Trading.Features;
using Xunit.Abstractions;

namespace Cop.Tests.Actors;

/// <summary>Supervision at the storage seam (a fake store that fails on demand; the journal is
/// Akka's in-memory one): a failed unit of work restarts the series with back-off, the restart
/// rebuilds state, and a retried command then writes exactly the rows an uninterrupted run would.</summary>
public class BarSeriesSupervisionTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(
    Infrastructure.CopTestKit.Setup(), output: output)
{
    private sealed class FlakyStore(Bar[] bars) : IBarSeriesStore
    {
        public int FailuresLeft;
        public readonly Dictionary<DateTime, FeatureRow> Rows = new();
        public int Upserts;

        public Task<IReadOnlyList<Bar>> LoadBarsAsync(string symbol, DateTime? after, DateTime upTo, int limit, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<Bar>>([.. bars.Where(b => (after is null || b.Time > after) && b.Time <= upTo).Take(limit)]);

        public Task<IReadOnlyDictionary<string, IEnumerable<MacroObservation>>> LoadMacroAsync(CancellationToken ct = default, DateTime? changedSince = null) =>
            Task.FromResult<IReadOnlyDictionary<string, IEnumerable<MacroObservation>>>(new Dictionary<string, IEnumerable<MacroObservation>>());

        public Task<int> UpsertAsync(IReadOnlyList<FeatureRow> rows, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Upserts);
            if (Interlocked.Decrement(ref FailuresLeft) >= 0) throw new InvalidOperationException("database down (test)");
            lock (Rows) foreach (var r in rows) Rows[r.Time] = r;
            return Task.FromResult(rows.Count);
        }
    }

    [Fact]
    public async Task A_failed_write_restarts_the_series_which_rebuilds_and_then_writes_every_row_once()
    {
        var bars = ReferenceIndicators.RandomBars(300);
        var store = new FlakyStore(bars) { FailuresLeft = 0 };
        var settings = new BarSeriesSettings { MaxBarsPerUnit = 100, MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200) };
        var series = Sys.ActorOf(BarSeriesSupervisor.Props(store, settings));

        await series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo("USD/COP", "5m", bars[149].Time), TimeSpan.FromSeconds(10));
        store.FailuresLeft = 2;
        // The first attempt dies with the store and its asker hears so at once (not at its ask
        // timeout); the series restarts and rebuilds from the journal.
        await Assert.ThrowsAsync<BarSeriesException>(() =>
            series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo("USD/COP", "5m", bars[^1].Time), TimeSpan.FromSeconds(5)));
        await CarriesOnToTheEnd(series, bars, store);
        Assert.True(store.Upserts >= 5, $"expected the failed writes to be retried, saw {store.Upserts} upserts");
    }

    [Fact]
    public async Task A_killed_series_comes_back_and_carries_on_from_its_journal()
    {
        var bars = ReferenceIndicators.RandomBars(200);
        var store = new FlakyStore(bars);
        var settings = new BarSeriesSettings { MaxBarsPerUnit = 100, MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200) };
        var series = Sys.ActorOf(BarSeriesSupervisor.Props(store, settings), "series");
        await series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo("USD/COP", "5m", bars[99].Time), TimeSpan.FromSeconds(10));

        // What a chaos script does: Kill (ActorKilledException), which Akka's default decider
        // would answer by stopping the actor for good.
        var entity = await Sys.ActorSelection(series.Path / Uri.EscapeDataString("USD/COP|5m") / "series").ResolveOne(TimeSpan.FromSeconds(5));
        Watch(entity);
        entity.Tell(Kill.Instance);
        ExpectTerminated(entity);

        await CarriesOnToTheEnd(series, bars, store);
    }

    /// <summary>The series (once it is back) processes every bar, and the stored rows are exactly
    /// what an uninterrupted build writes.</summary>
    private async Task CarriesOnToTheEnd(IActorRef series, Bar[] bars, FlakyStore store)
    {
        BarSeries.Processed? done = null;
        await AwaitAssertAsync(async () =>
            done = await series.Ask<BarSeries.Processed>(new BarSeries.ProcessUpTo("USD/COP", "5m", bars[^1].Time), TimeSpan.FromSeconds(2)),
            TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        Assert.Equal(bars[^1].Time, done!.LastApplied);
        var builder = new FeatureBuilder("USD/COP", MacroFeatures.Empty);
        Assert.Equal(bars.Select(b => builder.Next(b)), store.Rows.Values.OrderBy(r => r.Time));
    }
}
