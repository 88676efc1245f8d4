namespace Cop.Streams.Backtests;

/// <summary>A registered model as a backtest needs it (model_registry, and its experiment's splits when recorded).</summary>
public sealed record BacktestModel(string ModelId, string Version, string FilePath, string FileSha256, string NormStatsJson,
    DateOnly? TrainingStart = null, DateOnly? TrainingEnd = null,
    (DateOnly From, DateOnly To)? Validation = null, (DateOnly From, DateOnly To)? Test = null);
