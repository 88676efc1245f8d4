using Akka.Hosting;
using Cop.Actors.Projections;
using Cop.Actors.Supervision;
using Cop.Host.Configuration;
using Cop.Persistence.Journal;
using Cop.Persistence.Stores;

namespace Cop.Host.Composition;

/// <summary>The journal projections as actor families of <see cref="CopHosting.AddCop"/>, one extension per projection.</summary>
public static class ProjectionHosting
{
    /// <summary>trading.model_daily_pnl from the models' journaled decisions, under a back-off supervisor
    /// (/user/projection-model-daily-pnl/projection).</summary>
    public static AkkaConfigurationBuilder AddModelDailyPnlProjection(this AkkaConfigurationBuilder akka, CopRuntime runtime) =>
        !runtime.Environment.Projections ? akka : akka.WithActors((system, registry) =>
        {
            var settings = ProjectionSettings.From(runtime.Environment.Settings.Hocon);
            var store = runtime.Environment.ProjectionStore(new ModelDailyPnlStore(runtime.Pooled));
            var projection = system.ActorOf(RestartWithBackoff.Props(
                JournalProjection.Props(new ModelJournal(system), store, settings.Interval, settings.BatchSize),
                "projection", settings.MinBackoff, settings.MaxBackoff), $"projection-{ModelDailyPnlStore.Projection}");
            registry.Register<JournalProjection>(projection);
        });
}
