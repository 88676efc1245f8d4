using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Akka.TestKit;
using Cop.Persistence.Notifications;
using Cop.Persistence.Stores;
using Cop.Streams.Notifications;
using Npgsql;

namespace Cop.Tests.Streams;

/// <summary>Runs the real bar source against a database and records every delivery; what comes out
/// of it arrives at <see cref="Out"/>, a TestSink probe with unbounded demand (as Sink.Ignore had).</summary>
public sealed class NotifySourceHarness : IAsyncDisposable
{
    public ConcurrentDictionary<DateTime, int> Deliveries { get; } = new();
    public ConcurrentQueue<BarInserted> Events { get; } = new();
    public ListenCircuitBreaker Breaker { get; }
    public EventWatermarks Marks { get; }
    public List<(CircuitState From, CircuitState To)> Transitions { get; } = new();
    private readonly NpgsqlDataSource _db;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly UniqueKillSwitch _kill;
    public Task Completion { get; }
    public TestSubscriber.Probe<BarInserted> Out { get; }

    public static NotificationSourceSettings FastSettings => new()
    {
        KeepAlive = TimeSpan.FromMilliseconds(500),
        CatchUpInterval = TimeSpan.FromSeconds(2),
        PollInterval = TimeSpan.FromMilliseconds(200),
        BreakerMaxFailures = 3,
        BreakerResetTimeout = TimeSpan.FromSeconds(2),
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    };

    private NotifySourceHarness(TestKitBase kit, string cs, EventWatermarks marks, NotificationSourceSettings settings, NpgsqlDataSource db, Microsoft.Extensions.Logging.ILogger log, Action<string, string>? onHeartbeat)
    {
        _db = db;
        Marks = marks;
        Breaker = new ListenCircuitBreaker(settings.BreakerMaxFailures, settings.BreakerResetTimeout);
        Breaker.Transitioned += (from, to, _) => { lock (Transitions) Transitions.Add((from, to)); };
        var quarantine = new QuarantineStore(db);
        var ctx = new RowEventSourceContext
        {
            Watermarks = marks,
            Breaker = Breaker,
            Settings = settings,
            Quarantine = quarantine,
            Shutdown = _shutdown.Token,
            Log = log,
            OnHeartbeat = onHeartbeat,
        };
        var ((kill, done), probe) = RowEventSource.Create(RowChannels.Bars, new PostgresRowEventFeed<BarInserted>(cs, db, RowTables.Bars), ctx)
            .ViaMaterialized(KillSwitches.Single<BarInserted>(), Keep.Right)
            .Select(e =>
            {
                Deliveries.AddOrUpdate(e.Time, 1, (_, c) => c + 1);
                Events.Enqueue(e);
                return e;
            })
            .Via(RowEventSource.CommitWatermarks<BarInserted>(new WatermarkStore(db), marks, ctx))
            .WatchTermination(Keep.Both)
            .ToMaterialized(kit.SinkProbe<BarInserted>(), Keep.Both)
            .Run(kit.Sys.Materializer());
        _kill = kill;
        Completion = done;
        Out = probe;
        Out.Request(long.MaxValue);   // never back-pressure the source: the tests read at their own pace
    }

    public static async Task<NotifySourceHarness> StartAsync(TestKitBase kit, string cs, string consumer = "test",
        NotificationSourceSettings? settings = null, Xunit.Abstractions.ITestOutputHelper? output = null,
        Action<string, string>? onHeartbeat = null)
    {
        var db = NpgsqlDataSource.Create(cs);
        var marks = new EventWatermarks(consumer, await new WatermarkStore(db).LoadAsync(consumer));
        return new NotifySourceHarness(kit, cs, marks, settings ?? FastSettings, db, new Cop.Tests.Infrastructure.TestLogger(output), onHeartbeat);
    }

    public Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        Cop.Tests.Infrastructure.Eventually.Until(condition, timeout, what,
            () => $"{Deliveries.Count} delivered, breaker {Breaker.State}, transitions {string.Join(", ", Transitions)}");

    public async ValueTask DisposeAsync()
    {
        _kill.Shutdown();
        _shutdown.CancelQuietly();   // an Npgsql callback may throw after the server restarted
        try { await Completion.WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { /* shutting down */ }
        // Pooled sockets torn down by the shutdown may already be gone.
        try { await _db.DisposeAsync(); } catch (Exception) { }
    }
}
