using Akka.Actor;
using Akka.Pattern;

namespace Cop.Actors.Supervision;

/// <summary>
/// How Cop supervises every entity actor (a bar series, a macro variable, a deployed model): a
/// back-off supervisor that starts it again after a randomised, growing delay, whatever stopped
/// it. A failure stops it (the stopping strategy) and so does everything else that can: Kill,
/// which Akka's default decider answers with a stop for good; a journal that cannot be read on
/// recovery or written, where Akka.Persistence stops the actor itself. Restarting on failure
/// alone (Backoff.OnFailure) left such an entity dead: a PostgreSQL crash did that to the models.
/// While the entity is down, a message to it is answered at once with a failure
/// (<see cref="EntityRestartingException"/>) instead of going to dead letters, so an asker
/// retries after its own short back-off rather than waiting out its ask timeout.
/// </summary>
public static class RestartWithBackoff
{
    public static Props Props(Props entity, string entityName, TimeSpan minBackoff, TimeSpan maxBackoff) =>
        BackoffSupervisor.Props(Backoff.OnStop(entity, entityName, minBackoff, maxBackoff, randomFactor: 0.2, maxNrOfRetries: -1)
            .WithSupervisorStrategy(SupervisorStrategy.StoppingStrategy)
            .WithReplyWhileStopped(new Status.Failure(new EntityRestartingException(entityName))));
}

/// <summary>For the supervisors of entities: a child (an entity's back-off supervisor) that
/// fails or is killed restarts in place, keeping its ActorRef, instead of stopping for good.</summary>
public static class RestartInPlace
{
    public static SupervisorStrategy Strategy => new OneForOneStrategy(_ => Directive.Restart);
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
    public override SupervisorStrategy Create() => RestartInPlace.Strategy;
}
