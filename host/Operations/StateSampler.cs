using Akka.Hosting;
using Cop.Actors.Jobs;
using Cop.Actors.Telemetry;
using Cop.Host.Composition;
using Cop.Persistence.Stores;
using Cop.Streams.Decisions;
using Cop.Trading;
using StackExchange.Redis;

namespace Cop.Host.Operations;

/// <summary>
/// The metrics that describe state, read from where the state lives (PostgreSQL, Redis, the
/// market calendar) every cop.operations.sample-interval, so they are right whoever wrote the data
/// (another process's `cop ingest`, an operator's psql): the newest bar and feature row, the
/// dead-letter queue, each macro series' age and staleness, market hours, Redis and PostgreSQL
/// health, the deployed models' kill switch and refusal. Runs as a supervised PeriodicJob.
/// </summary>
public sealed class StateSampler(CopRuntime runtime, OperationsSettings settings)
{
    private static readonly string[] DeadLetterStatuses = ["PENDING", "RESOLVED", "EXHAUSTED", "SKIPPED"];
    private readonly HashSet<(string, string)> _deadLetterSeries = [.. DeadLetterStatuses.Select(s => (DecisionPipeline.EventType, s))];
    private readonly HashSet<string> _models = [];

    public async Task<string?> SampleAsync(DateTime now, CancellationToken ct)
    {
        var catalogue = runtime.Environment.Settings.Macro.Catalogue;
        CopMetrics.MarketHoursStatus.Set(TradingSession.IsOpen(now) ? 1 : 0);
        if (runtime.Environment.Redis is { } redis)
            CopMetrics.RedisConnectionHealth.Set(await RedisAnswersAsync(redis, settings.RedisTimeout) ? 1 : 0);

        OperationsState state;
        IReadOnlyList<MacroStaleSeries> stale;
        try
        {
            state = await new OperationsStateStore(runtime.Pooled).ReadAsync(catalogue, ct);
            stale = await new MacroStore(runtime.Pooled).StaleAsync(catalogue, ct);
            CopMetrics.PostgresConnectionHealth.WithLabels("cop-service").Set(1);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            CopMetrics.PostgresConnectionHealth.WithLabels("cop-service").Set(0);
            throw;
        }

        if (state.LastBar is { } bar) CopMetrics.LastOhlcvBarTimestamp.Set(Unix(bar));
        if (state.LastFeature is { } feature) CopMetrics.LastFeatureTimestamp.Set(Unix(feature));

        foreach (var (type, status, _) in state.DeadLetters) _deadLetterSeries.Add((type, status));
        foreach (var (type, status) in _deadLetterSeries)
            CopMetrics.DeadLetterQueueSize.WithLabels(type, status).Set(
                state.DeadLetters.Where(d => d.EventType == type && d.Status == status).Sum(d => d.Count));

        var today = DateOnly.FromDateTime(now);
        var staleSet = stale.Select(s => s.Variable).ToHashSet();
        foreach (var v in catalogue)
        {
            CopMetrics.MacroSeriesMaxAge.WithLabels(v.Column).Set(v.MaxGapDays);
            CopMetrics.MacroSeriesStale.WithLabels(v.Column).Set(staleSet.Contains(v.Column) ? 1 : 0);
            if (state.MacroLastAccepted.TryGetValue(v.Column, out var last) && last is { } d)
                CopMetrics.MacroSeriesAge.WithLabels(v.Column).Set(today.DayNumber - d.DayNumber);
        }

        // A model no longer deployed drops out of the series instead of keeping its last value.
        foreach (var gone in _models.Except(state.Models.Select(m => m.ModelId)).ToList())
        {
            CopMetrics.ModelKillSwitch.RemoveLabelled(gone);
            CopMetrics.ModelRefused.RemoveLabelled(gone);
            _models.Remove(gone);
        }
        foreach (var m in state.Models)
        {
            _models.Add(m.ModelId);
            CopMetrics.ModelKillSwitch.WithLabels(m.ModelId).Set(m.KillSwitch ? 1 : 0);
            CopMetrics.ModelRefused.WithLabels(m.ModelId).Set(m.LastError is null ? 0 : 1);
        }
        CopMetrics.SamplerLastRun.Set(Unix(now));
        return null;   // nothing to log each round
    }

    public static async Task<bool> RedisAnswersAsync(IConnectionMultiplexer redis, TimeSpan timeout)
    {
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(timeout);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }

    private static double Unix(DateTime t) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeMilliseconds() / 1000.0;
}

/// <summary>The sampler and the pipeline info metric in the composition root.</summary>
public static class OperationsHosting
{
    public static AkkaConfigurationBuilder AddOperations(this AkkaConfigurationBuilder akka, CopRuntime runtime) =>
        akka.WithActors((system, _) =>
        {
            var settings = runtime.Environment.Settings;
            var ops = OperationsSettings.From(settings.Hocon);
            var version = typeof(StateSampler).Assembly.GetName().Version?.ToString() ?? "0";
            CopMetrics.PipelineInfo.WithLabels(version, NotifyModeName(settings), Cop.Trading.Features.FeatureNames.BuilderVersion,
                string.Join(",", settings.Notify.Instruments.Symbols)).Set(1);
            var sampler = new StateSampler(runtime, ops);
            system.ActorOf(PeriodicJob.Props("state sampler", sampler.SampleAsync, ops.SampleInterval, firstAfter: TimeSpan.FromMilliseconds(10)),
                "state-sampler");
        });

    private static string NotifyModeName(Configuration.CopSettings settings) => settings.Hocon.GetString("cop.notify.mode", "listen");
}
