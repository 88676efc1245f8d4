namespace Cop.Learning;

/// <summary>PPO's settings (hocon: experiment.ppo); the defaults are stable-baselines3's.</summary>
public sealed record PpoSettings
{
    public long TotalTimesteps { get; init; } = 500_000;
    public int NSteps { get; init; } = 2048;
    public int BatchSize { get; init; } = 64;
    public int Epochs { get; init; } = 10;
    public double Gamma { get; init; } = 0.99;
    public double GaeLambda { get; init; } = 0.95;
    public double ClipRange { get; init; } = 0.2;
    public double LearningRate { get; init; } = 3e-4;
    public double EntCoef { get; init; } = 0.0;
    public double VfCoef { get; init; } = 0.5;
    public double MaxGradNorm { get; init; } = 0.5;
    public double AdamEps { get; init; } = 1e-5;
    public bool NormaliseAdvantage { get; init; } = true;
    public IReadOnlyList<int> Hidden { get; init; } = [64, 64];
    /// <summary>Updates between validation evaluations (the best checkpoint is kept); 0: only at the end.</summary>
    public int EvalEvery { get; init; } = 10;

    /// <summary>The first thing wrong with these settings, or null.</summary>
    public string? Problem() =>
        TotalTimesteps <= 0 ? $"total-timesteps must be positive (is {TotalTimesteps})"
        : NSteps <= 1 ? $"n-steps must be at least 2 (is {NSteps})"
        : BatchSize <= 0 || BatchSize > NSteps ? $"batch-size must be in 1..n-steps ({NSteps}) (is {BatchSize})"
        : Epochs <= 0 ? $"epochs must be positive (is {Epochs})"
        : Gamma is <= 0 or > 1 ? $"gamma must be in (0, 1] (is {Gamma})"
        : GaeLambda is < 0 or > 1 ? $"gae-lambda must be in [0, 1] (is {GaeLambda})"
        : ClipRange <= 0 ? $"clip-range must be positive (is {ClipRange})"
        : LearningRate <= 0 ? $"learning-rate must be positive (is {LearningRate})"
        : EntCoef < 0 || VfCoef < 0 ? "ent-coef and vf-coef must not be negative"
        : MaxGradNorm <= 0 ? $"max-grad-norm must be positive (is {MaxGradNorm})"
        : Hidden.Count == 0 || Hidden.Any(h => h <= 0) ? $"hidden must be a list of positive layer sizes (is [{string.Join(", ", Hidden)}])"
        : EvalEvery < 0 ? $"eval-every must not be negative (is {EvalEvery})"
        : null;
}
