using Cop.Trading.Macro;

namespace Cop.Streams.Macro;

/// <summary>Macro ingestion settings and the catalogue (hocon/macro.conf, cop.macro).</summary>
public sealed record MacroSettings
{
    public required IReadOnlyList<MacroVariableSpec> Catalogue { get; init; }
    public DateOnly SeedStart { get; init; } = new(2015, 1, 1);
    public TimeSpan Schedule { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Longest wait for one round of every source (hocon: cop.macro.run-timeout).</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>A source's answer is awaited this much past RunTimeout (hocon: cop.macro.ask-margin).</summary>
    public TimeSpan AskMargin { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>The first round after start (hocon: cop.macro.first-run).</summary>
    public TimeSpan FirstRun { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A MacroVariable's restarts after a failure (hocon: cop.macro.restart).</summary>
    public TimeSpan RestartMinBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan RestartMaxBackoff { get; init; } = TimeSpan.FromMinutes(1);
    public int RefreshObservations { get; init; } = 15;
    public int ForwardFillLookbackDays { get; init; } = 120;
    public string ParquetDirectory { get; init; } = ".cop/macro";
    public string FredBaseUrl { get; init; } = "https://api.stlouisfed.org/fred";
    public string FredApiKey { get; init; } = "";
    public string BcrpBaseUrl { get; init; } = "https://estadisticas.bcrp.gob.pe/estadisticas/series/api";
    public string BanrepBaseUrl { get; init; } = "";
    public string TwelveDataBaseUrl { get; init; } = "https://api.twelvedata.com";
    public string FileDropDirectory { get; init; } = ".cop/macro-drop";
    public Sources.SourceResilience Resilience { get; init; } = new();

    public MacroVariableSpec this[string column] => Catalogue.FirstOrDefault(v => v.Column == column)
        ?? throw new KeyNotFoundException($"'{column}' is not in the macro catalogue");
}
