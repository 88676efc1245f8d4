using Cop.Host.Application;
using Cop.Persistence.Macro;
using Akka.Actor;
using Cop.Actors.Macro;
using Cop.Host.Configuration;
using Cop.Persistence.Stores;
using Cop.Streams.Macro;
using Cop.Streams.Macro.Sources;
using Serilog;

namespace Cop.Host.Infrastructure;

/// <summary>
/// The macro tree as `cop run` starts it: MacroIngestion -> one MacroSourceSupervisor per source
/// that can be called (FRED and TwelveData need a key) -> one MacroVariable per catalogue entry.
/// </summary>
public static class MacroWiring
{
    public static IActorRef Start(ActorSystem system, CopSettings settings, MacroStore store, HttpClient http)
    {
        var m = settings.Macro;
        var sources = new Dictionary<string, IMacroSource>();
        if (m.FredApiKey.Length > 0) sources["fred"] = new FredSource(http, m.FredBaseUrl, m.FredApiKey, m.Resilience);
        if (settings.TwelveData.ApiKey.Length > 0) sources["twelvedata"] = new TwelveDataDailySource(http, m.TwelveDataBaseUrl, settings.TwelveData.ApiKey, m.Resilience);
        if (m.BcrpBaseUrl.Length > 0) sources["bcrp"] = new BcrpSource(http, m.BcrpBaseUrl, m.Resilience);
        if (m.BanrepBaseUrl.Length > 0) sources["banrep"] = new BanrepSource(http, m.BanrepBaseUrl, m.Resilience);
        sources["file"] = new FileDropSource(m.FileDropDirectory);

        var supervisors = new Dictionary<string, Props>();
        foreach (var group in m.Catalogue.GroupBy(v => v.Source))
        {
            if (!sources.TryGetValue(group.Key, out var source))
            {
                Log.Information("Macro source {Source} not configured (no key): {Count} variables wait for `cop macro seed`", group.Key, group.Count());
                continue;
            }
            supervisors[group.Key] = MacroSourceSupervisor.Props(source, [.. group], store, m.SeedStart, m.RefreshObservations, m.RestartMinBackoff, m.RestartMaxBackoff);
        }
        return system.ActorOf(MacroIngestion.Props(supervisors,
            today => MacroRunCompletion.CompleteAsync(store, m, today), m.Schedule, m.RunTimeout, m.FirstRun, m.AskMargin, m.RestartMinBackoff, m.RestartMaxBackoff), "macro");
    }
}
