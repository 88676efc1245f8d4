using Akka.Actor;
using Akka.Pattern;

namespace Cop.Actors.Supervision;

/// <summary>
/// How Cop supervises every entity actor (a bar series, a macro variable, a deployed model): a
/// back-off supervisor that restarts it after a randomised, growing delay, whatever stopped it
/// with a failure. That includes Kill: Akka's default decider stops an actor that got
/// <see cref="Kill"/> (ActorKilledException) or failed in its constructor for good, so a chaos
/// script's kill, or a model file briefly unreadable, would leave the entity dead without this.
/// While the entity is down, a message to it is answered at once with a failure
/// (<see cref="EntityRestartingException"/>) instead of going to dead letters, so an asker
/// retries after its own short back-off rather than waiting out its ask timeout.
/// </summary>
public static class RestartWithBackoff
{
    public static Props Props(Props entity, string entityName, TimeSpan minBackoff, TimeSpan maxBackoff) =>
        BackoffSupervisor.Props(Backoff.OnFailure(entity, entityName, minBackoff, maxBackoff, randomFactor: 0.2, maxNrOfRetries: -1)
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart))
            .WithReplyWhileStopped(new Status.Failure(new EntityRestartingException(entityName))));
}

/// <summary>The entity is between a failure and its restart: ask again shortly.</summary>
public sealed class EntityRestartingException(string entity) : Exception($"{entity} is restarting after a failure; ask again shortly");

/// <summary>
/// The user guardian's strategy (hocon: akka.actor.guardian-supervisor-strategy): a top-level
/// actor (the bar series, model and macro supervisors) that fails, or is killed, is restarted in
/// place, keeping its ActorRef, and recreates its children; Akka's default would stop a killed one
/// for good and, with it, everything below it.
/// </summary>
public sealed class RestartTopLevel : SupervisorStrategyConfigurator
{
    public override SupervisorStrategy Create() => new OneForOneStrategy(_ => Directive.Restart);
}
