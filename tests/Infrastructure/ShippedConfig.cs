using Akka.Configuration;
using Cop.Host.Configuration;

namespace Cop.Tests.Infrastructure;

/// <summary>The configuration files as shipped next to the binary (hocon/cop.conf over hocon/macro.conf).</summary>
public static class ShippedConfig
{
    public static Config Hocon() =>
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "cop.conf")))
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "macro.conf"))));

    public static CopSettings Settings() => CopSettings.From(CopSettings.WithEnvironment(Hocon(), _ => null));
}
