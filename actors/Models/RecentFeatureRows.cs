using Cop.Trading.Features;

namespace Cop.Actors.Models;

/// <summary>
/// The feature rows this process committed most recently, in memory: the first tier of the
/// feature service when the models run next to the feature writer (`cop run`, the demo). The
/// writer puts a row here only after its PostgreSQL commit, so this tier never shows what the
/// store does not have, and a rewrite replaces the entry. A row evicted (oldest first), or written
/// by another process, is read from the next tier; nothing here must survive a restart.
/// It saves the live path a database round trip per model and bar.
/// </summary>
public sealed class RecentFeatureRows(int capacity = 4_096) : IFeatureSource
{
    private readonly Dictionary<(string, DateTime), FeatureSnapshot> _rows = new();
    private readonly Queue<(string, DateTime)> _order = new();

    public int Count { get { lock (_rows) return _rows.Count; } }

    public void Put(IEnumerable<FeatureSnapshot> committed)
    {
        lock (_rows)
            foreach (var s in committed)
            {
                var key = (s.Symbol, s.BarTime);
                if (_rows.TryAdd(key, s)) _order.Enqueue(key);
                else _rows[key] = s;
                while (_rows.Count > capacity) _rows.Remove(_order.Dequeue());
            }
    }

    public Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime barTime, CancellationToken ct = default)
    {
        lock (_rows) return Task.FromResult(_rows.GetValueOrDefault((symbol, barTime)));
    }
}
