using Akka.Actor;
using Akka.Configuration;
using Cop.Host.Configuration;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Streams.Backtests;
using Npgsql;

namespace Cop.Host.Application;

/// <summary>
/// Backtests on Cop's database: the <see cref="Backtester"/> on the PostgreSQL stores (the model
/// registry, the stored feature rows, the bars for a rebuild, backtest_results) with cop.trading's
/// rules and cop.backtest's settings. The CLI uses <see cref="Backtester.RunAsync"/>, the web UI
/// <see cref="Backtester.Events"/> (server-sent events). Owns its connections.
/// </summary>
public sealed class BacktestService : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly FeatureStore _bars;

    /// <param name="system">The actor system (AddCop) for actor-mode runs; null: fast loop only. The actor mode
    /// journals to that system's journal: `cop backtest` gives it one in memory; in `cop run` (SQL journal) each
    /// actor-mode run would leave its events in PostgreSQL, so a web UI should run the fast loop.</param>
    public BacktestService(CopSettings settings, string connectionString, ActorSystem? system = null)
    {
        _db = NpgsqlDataSource.Create(ConnectionStrings.Pooled(connectionString, "cop-backtest"));
        _bars = new FeatureStore(connectionString);
        Store = new BacktestStore(_db);
        Settings = Read(settings.Hocon);
        Backtester = new Backtester(Store, Store, settings.Trading.Models, Settings, _bars, system);
    }

    public Backtester Backtester { get; }
    public BacktestStore Store { get; }
    public BacktestSettings Settings { get; }

    /// <summary>cop.backtest; a bad value names its key.</summary>
    public static BacktestSettings Read(Config c)
    {
        int Positive(string key, int fallback)
        {
            if (!c.HasPath(key)) return fallback;
            int v;
            try { v = c.GetInt(key); }
            catch (Exception e) { throw new ConfigurationException($"{key} is not a whole number: {e.Message}"); }
            return v > 0 ? v : throw new ConfigurationException($"{key} must be positive (got {v})");
        }
        var timeout = TimeSpan.FromSeconds(10);
        if (c.HasPath("cop.backtest.ask-timeout"))
        {
            try { timeout = c.GetTimeSpan("cop.backtest.ask-timeout", null, allowInfinite: false); }
            catch (Exception e) { throw new ConfigurationException($"cop.backtest.ask-timeout is not a duration: {e.Message}"); }
            if (timeout <= TimeSpan.Zero) throw new ConfigurationException($"cop.backtest.ask-timeout must be a positive duration (got {timeout})");
        }
        return new BacktestSettings(Positive("cop.backtest.stream-points", 500), Positive("cop.backtest.actor-in-flight", 8), timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await _bars.DisposeAsync();
        await _db.DisposeAsync();
    }
}
