using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Cop.Host.Configuration;

/// <summary>The console log of `cop` and `cop-bench`: one line per event, all of it on stderr so
/// stdout carries only what a command prints as its result. `cop.log.format = json`
/// (COP_LOG_FORMAT=json) writes one JSON object per line with every property (a bar's lines carry
/// Symbol and BarTime); `cop.log.level` (COP_LOG_LEVEL) sets the minimum level (debug shows one line
/// per bar at each stage).</summary>
public static class ConsoleLog
{
    public static Serilog.ILogger Create() => Create(Environment.GetEnvironmentVariable("COP_LOG_FORMAT"), Environment.GetEnvironmentVariable("COP_LOG_LEVEL"));

    public static Serilog.ILogger Create(string? format, string? level)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(Level(level))
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext();
        return (Format(format) == "json"
                ? config.WriteTo.Console(new JsonFormatter(renderMessage: true), standardErrorFromLevel: LogEventLevel.Verbose)
                : config.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext} {Message:lj}{NewLine}{Exception}",
                    standardErrorFromLevel: LogEventLevel.Verbose))
            .CreateLogger();
    }

    /// <summary>Applies cop.log from the loaded configuration (the environment already overrides it there).</summary>
    public static void Apply(Akka.Configuration.Config hocon)
    {
        var (format, level) = (hocon.GetString("cop.log.format", "text"), hocon.GetString("cop.log.level", "information"));
        Format(format);
        Level(level);
        Log.Logger = Create(format, level);
    }

    private static string Format(string? format) => (format ?? "text").ToLowerInvariant() switch
    {
        "" or "text" => "text",
        "json" => "json",
        var other => throw new Akka.Configuration.ConfigurationException($"cop.log.format (COP_LOG_FORMAT) = '{other}': expected text or json"),
    };

    private static LogEventLevel Level(string? level) => (level ?? "information").ToLowerInvariant() switch
    {
        "" or "information" or "info" => LogEventLevel.Information,
        "debug" => LogEventLevel.Debug,
        "warning" or "warn" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        var other => throw new Akka.Configuration.ConfigurationException($"cop.log.level (COP_LOG_LEVEL) = '{other}': expected debug, information, warning or error"),
    };
}
