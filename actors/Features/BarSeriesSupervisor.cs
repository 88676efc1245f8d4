using Akka.Actor;
using Cop.Actors.Supervision;

namespace Cop.Actors.Features;

/// <summary>
/// Parent of one <see cref="BarSeries"/> per (symbol, timeframe), created on the first message
/// for it. Each child sits under a back-off supervisor: a failing unit of work (database down)
/// restarts the series after 0.5 s, 1 s, 2 s ... up to 30 s, and the restart rebuilds its state.
/// </summary>
public sealed class BarSeriesSupervisor : ReceiveActor
{
    public sealed record ListSeries;
    public sealed record SeriesList(IReadOnlyList<string> Series);

    public static Props Props(IBarSeriesStore store, BarSeriesSettings settings) =>
        Akka.Actor.Props.Create(() => new BarSeriesSupervisor(store, settings));

    public BarSeriesSupervisor(IBarSeriesStore store, BarSeriesSettings settings)
    {
        Receive<BarSeries.ProcessUpTo>(m => Child(m.Symbol, m.Timeframe).Forward(m));
        Receive<BarSeries.GetState>(m => Child(m.Symbol, m.Timeframe).Forward(m));
        Receive<ListSeries>(_ => Sender.Tell(new SeriesList([.. Context.GetChildren().Select(c => Uri.UnescapeDataString(c.Path.Name))])));

        IActorRef Child(string symbol, string timeframe)
        {
            var name = Uri.EscapeDataString($"{symbol}|{timeframe}");
            var existing = Context.Child(name);
            if (!existing.IsNobody()) return existing;
            var backoff = RestartWithBackoff.Props(BarSeries.Props(symbol, timeframe, store, settings), "series",
                settings.MinBackoff, settings.MaxBackoff);
            return Context.ActorOf(backoff, name);
        }
    }
}
