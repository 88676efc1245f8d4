namespace Cop.Learning;

/// <summary>One step's reward; Terminated: the episode ended by itself (no future value);
/// Truncated: it was cut at its length (its future value is bootstrapped).</summary>
public readonly record struct EnvironmentStep(double Reward, bool Terminated, bool Truncated)
{
    public bool Done => Terminated || Truncated;
}
