using Akka.Actor;
using Cop.Actors.Models;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Streams.Backtests;

/// <summary>
/// The actor mode: the bars of a backtest asked, in order, of a <see cref="DeployedModel"/> of its
/// own (a fresh persistence id, so it starts flat; the journal is the actor system's), reading the
/// preloaded feature rows and writing its decision rows to memory. Up to
/// <see cref="BacktestSettings.ActorInFlight"/> bars are asked before the first answer is awaited,
/// as the live pipeline sends a backlog in groups; the model decides them one after the other.
/// </summary>
public static class ActorReplay
{
    public static async Task RunAsync(ActorSystem system, BacktestModel model, NormStats norm, ModelSettings trading, BacktestSettings settings,
        IReadOnlyList<FeatureSnapshot> rows, int chunk, Func<IReadOnlyList<DecisionRecord>, int, ValueTask> onChunk, CancellationToken ct)
    {
        var log = new MemoryDecisionLog();
        var id = $"backtest-{model.ModelId}-{Guid.NewGuid():N}";
        var actor = system.ActorOf(DeployedModel.Props(id, () => PolicySession.Load(model.FilePath, model.FileSha256), norm,
            trading with { SnapshotEvery = int.MaxValue }, new PreloadedFeatures(rows), log, killSwitch: false), id);
        try
        {
            var pending = new Queue<Task<DeployedModel.BarDecided>>();
            var reported = 0;
            DateTime? previous = null;
            for (var i = 0; i < rows.Count; i++)
            {
                pending.Enqueue(actor.Ask<DeployedModel.BarDecided>(new DeployedModel.DecideBar(trading.Symbol, rows[i].BarTime, null, previous), settings.AskTimeout, ct));
                previous = rows[i].BarTime;
                if (pending.Count >= settings.ActorInFlight) await pending.Dequeue();
                if (i + 1 - reported >= chunk || i + 1 == rows.Count)
                {
                    while (pending.Count > 0) await pending.Dequeue();
                    await onChunk(log.Take(), i + 1);
                    reported = i + 1;
                }
            }
        }
        finally
        {
            await actor.GracefulStop(settings.AskTimeout);
        }
    }

    /// <summary>The feature read of a backtest: the preloaded rows by bar time.</summary>
    private sealed class PreloadedFeatures(IReadOnlyList<FeatureSnapshot> rows) : IFeatureSource
    {
        private readonly Dictionary<DateTime, FeatureSnapshot> _byTime = rows.ToDictionary(r => r.BarTime);

        public Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default) =>
            Task.FromResult(_byTime.TryGetValue(barTime, out var s) && s.Symbol == symbol ? s : null);
    }

    /// <summary>The decision rows in memory, in the order the model wrote them.</summary>
    private sealed class MemoryDecisionLog : IDecisionLog
    {
        private readonly List<DecisionRecord> _rows = [];
        private readonly HashSet<DateTime> _seen = [];

        public Task WriteAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken ct = default)
        {
            lock (_rows)
                foreach (var d in decisions)
                    if (_seen.Add(d.BarTime)) _rows.Add(d);   // idempotent per bar, as the tables are
            return Task.CompletedTask;
        }

        public Task<bool> ExistsAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default)
        {
            lock (_rows) return Task.FromResult(_seen.Contains(barTime));
        }

        public IReadOnlyList<DecisionRecord> Take()
        {
            lock (_rows)
            {
                var taken = _rows.ToList();
                _rows.Clear();
                return taken;
            }
        }
    }
}
