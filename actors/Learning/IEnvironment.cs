namespace Cop.Learning;

/// <summary>
/// What PPO learns in: observations of a fixed size, a discrete action. <see cref="Reset"/> starts an
/// episode and writes its first observation; <see cref="Step"/> acts and writes the next one (at the
/// end of an episode, the last observation: the trainer bootstraps a truncated episode's value from
/// it before it resets).
/// </summary>
public interface IEnvironment
{
    int ObservationSize { get; }
    int ActionCount { get; }
    void Reset(Span<float> observation);
    EnvironmentStep Step(int action, double probability, Span<float> observation);
}
