using Cop.Trading.Decisions;

namespace Cop.Actors.Models;

/// <summary>Per-model trading settings (hocon: cop.trading).</summary>
public sealed record ModelSettings
{
    public RiskLimits Risk { get; init; } = new();
    public FillCosts Costs { get; init; } = new();
    public int SnapshotEvery { get; init; } = 500;
    /// <summary>Readiness: the oldest macro input may be this old on the bar's date (a long weekend is 5 days).</summary>
    public TimeSpan MaxMacroAge { get; init; } = TimeSpan.FromDays(7);
    /// <summary>The one instrument this model trades (hocon: cop.trading.symbol).</summary>
    public string Symbol { get; init; } = "USD/COP";
    /// <summary>How often a model held at a poison bar looks again for an operator's skip.</summary>
    public TimeSpan PoisonRecheck { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A model's restarts (a failure, a journal that cannot be read): the back-off between them.</summary>
    public TimeSpan RestartMinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan RestartMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
}
