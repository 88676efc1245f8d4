using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Cop.Actors.Serialization;

namespace Cop.Tests.Infrastructure;

/// <summary>The TestKit's actor system set up as production's for messages: CopSerializer bound by
/// the same setup AddCop uses; the journal is Akka's in-memory one unless a test gives its own
/// configuration.</summary>
public static class CopTestKit
{
    public static ActorSystemSetup Setup(string? hocon = null) => ActorSystemSetup.Create(
        BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString((hocon ?? "") + "\nakka.loglevel = WARNING")
            .WithFallback(Akka.TestKit.Configs.TestConfigs.DefaultConfig)),
        CopSerializer.Setup());
}
