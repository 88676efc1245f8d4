using Serilog;
using Serilog.Events;

namespace Cop.Host.Configuration;

/// <summary>The console log of `cop` and `cop-bench`: one line per event, all of it on stderr so
/// stdout carries only what a command prints as its result.</summary>
public static class ConsoleLog
{
    public static Serilog.ILogger Create() => new LoggerConfiguration()
        .MinimumLevel.Information()
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .Enrich.FromLogContext()
        .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext} {Message:lj}{NewLine}{Exception}",
            standardErrorFromLevel: LogEventLevel.Verbose)
        .CreateLogger();
}
