using Cop.Actors.Models;
using System.Globalization;
using Cop.Trading.Features;
using StackExchange.Redis;

namespace Cop.Persistence.Stores;

/// <summary>
/// The online store on Redis: the spec's three feature views per (symbol, bar), each a hash with
/// its own TTL: technical (price features and the close) 30 min, macro 1 h, state (position,
/// time) 5 min. A bar is served from Redis only when all three views are there.
/// </summary>
public sealed class OnlineFeatureStore(IConnectionMultiplexer redis) : IFeatureSource
{
    // The hash fields are the feature names; the views cut the one list: price features before
    // the macro range, the macro range, the state features after it.
    public static readonly (string View, string[] Features, TimeSpan Ttl)[] Views =
    [
        ("technical", [.. FeatureNames.Ordered.Take(FeatureNames.FirstMacro)], TimeSpan.FromMinutes(30)),
        ("macro", [.. FeatureNames.Ordered.Take(FeatureNames.FirstMacro..(FeatureNames.LastMacro + 1))], TimeSpan.FromHours(1)),
        ("state", [.. FeatureNames.Ordered.Skip(FeatureNames.LastMacro + 1)], TimeSpan.FromMinutes(5)),
    ];

    private static readonly Dictionary<string, int> Index = FeatureNames.Ordered.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);

    public static RedisKey Key(string view, string symbol, DateTime bar) =>
        $"cop:fv:{view}:{symbol}:{new DateTimeOffset(DateTime.SpecifyKind(bar, DateTimeKind.Utc)).ToUnixTimeSeconds()}";

    /// <summary>Writes the views of many bars in one pipelined batch.</summary>
    public async Task WriteAsync(IReadOnlyList<FeatureSnapshot> snapshots)
    {
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var tasks = new List<Task>();
        foreach (var s in snapshots)
            foreach (var (view, features, ttl) in Views)
            {
                var key = Key(view, s.Symbol, s.BarTime);
                var fields = features.Select(f => new HashEntry(f, Text(s.Raw[Index[f]]))).ToList();
                if (view == "technical") fields.Add(new HashEntry("close", s.Close.ToString("R", CultureInfo.InvariantCulture)));
                if (view == "macro") fields.Add(new HashEntry("as_of", s.MacroAsOf is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : ""));
                tasks.Add(batch.HashSetAsync(key, [.. fields]));
                tasks.Add(batch.KeyExpireAsync(key, ttl));
            }
        batch.Execute();
        await Task.WhenAll(tasks);
    }

    /// <summary>The spec's scheduled materialisation: the recent rows from PostgreSQL into Redis
    /// (every 15 minutes in market hours and daily at 07:00 Bogota), in case a push was missed.</summary>
    /// <remarks>Only the catalogue's instruments: a row of another symbol (written around the
    /// feature writer) names no Redis key.</remarks>
    public async Task<int> MaterializeAsync(FeatureReader offline, DateTime since, Cop.Trading.InstrumentCatalogue instruments, CancellationToken ct = default)
    {
        var rows = (await offline.ReadSinceAsync(since, ct)).Where(r => instruments.Contains(r.Symbol)).ToList();
        await WriteAsync(rows);
        return rows.Count;
    }

    /// <summary>Whether the materialisation is due in this minute: every 15 minutes while the
    /// market is open, and at 07:00 Bogota on trading days (before the open).</summary>
    public static bool MaterializationDue(DateTime utc)
    {
        var local = Cop.Trading.TradingSession.ToBogota(utc);
        var quarter = local.TimeOfDay.Minutes % 15 == 0;
        return (Cop.Trading.TradingSession.IsOpen(utc) && quarter)
               || (local.TimeOfDay.Hours == 7 && local.TimeOfDay.Minutes == 0 && Cop.Trading.MarketCalendar.IsTradingDay(DateOnly.FromDateTime(local)));
    }

    /// <summary>The bar's snapshot when all three views are present, else null (a miss).</summary>
    public async Task<FeatureSnapshot?> ReadAsync(string symbol, DateTime bar, CancellationToken ct = default)
    {
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var reads = Views.Select(v => batch.HashGetAllAsync(Key(v.View, symbol, bar))).ToList();
        batch.Execute();
        var views = await Task.WhenAll(reads);
        if (views.Any(v => v.Length == 0)) return null;
        var raw = new double?[FeatureNames.Count];
        double? close = null;
        DateOnly? asOf = null;
        foreach (var entry in views.SelectMany(v => v))
        {
            if (entry.Name == "close") { close = Parse(entry.Value); continue; }
            if (entry.Name == "as_of") { asOf = entry.Value.IsNullOrEmpty ? null : DateOnly.ParseExact((string)entry.Value!, "yyyy-MM-dd", CultureInfo.InvariantCulture); continue; }
            if (Index.TryGetValue(entry.Name!, out var i)) raw[i] = Parse(entry.Value);
        }
        return close is { } c ? new FeatureSnapshot(symbol, bar, raw, c, asOf) : null;
    }

    private static string Text(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";
    private static double? Parse(RedisValue v) => v.IsNullOrEmpty ? null : double.Parse((string)v!, CultureInfo.InvariantCulture);
}
