namespace Cop.Learning;

/// <summary>One PPO update, as stable-baselines3 logs it: the means over every minibatch of every
/// epoch; explained variance of the rollout's values against its returns; the mean reward of the
/// episodes that ended in this rollout (NaN when none did); the time in rollout and in update.</summary>
public sealed record UpdateStats(int Update, long Timesteps, double PolicyLoss, double ValueLoss, double EntropyLoss, double ApproxKl,
    double ClipFraction, double ExplainedVariance, double GradNorm, double EpisodeReward, int Episodes, TimeSpan RolloutTime, TimeSpan UpdateTime);
