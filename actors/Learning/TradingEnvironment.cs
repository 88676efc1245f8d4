using Cop.Trading;
using Cop.Trading.Decisions;
using Cop.Trading.Features;

namespace Cop.Learning;

/// <summary>
/// The trading rule Cop runs live, as an environment: an episode is <c>episodeLength</c> decisions
/// on consecutive rows of the train split from a start drawn by the seeded generator, each bar
/// observed as a deployed model observes it (<see cref="ModelState.Observe"/>: stored features,
/// the model's own position, its norm_stats) and decided through <see cref="ModelState.Decide"/> and
/// <see cref="ModelState.Apply(ModelDecided)"/> (the same RiskManager limits, the same PaperAccount
/// fills with spread and slippage). Nothing here restates a rule.
///
/// Reward of the decision on bar t: the change of the account's equity from bar t's close (marked
/// before the decision) to bar t+1's close (marked with the position the decision left), fill costs
/// included, in percent of <see cref="PaperAccount.InitialEquity"/> times <c>rewardScale</c>/100
/// (so rewardScale 100 means percent). An episode's rewards sum to its equity change.
/// </summary>
public sealed class TradingEnvironment : IEnvironment
{
    private readonly IReadOnlyList<FeatureSnapshot> _rows;
    private readonly NormStats _norm;
    private readonly DecisionRules _rules;
    private readonly int _episodeLength;
    private readonly double _rewardScale;
    private readonly SeededRandom _rng;
    private readonly float[] _current = new float[FeatureNames.Count];
    private int _t, _steps;

    public ModelState State { get; private set; }
    public ModelDecided? LastDecision { get; private set; }
    public int ObservationSize => FeatureNames.Count;
    public int ActionCount => 3;
    public int EpisodeLength => _episodeLength;

    public TradingEnvironment(IReadOnlyList<FeatureSnapshot> rows, NormStats norm, DecisionRules rules, int episodeLength, SeededRandom rng,
        double rewardScale = 100)
    {
        if (rows.Count < 2) throw new ArgumentException($"the environment needs at least 2 rows (has {rows.Count})");
        if (episodeLength <= 0) throw new ArgumentException($"episode-length must be positive (is {episodeLength})");
        for (var i = 1; i < rows.Count; i++)
            if (rows[i].BarTime <= rows[i - 1].BarTime) throw new ArgumentException($"rows are not in time order at {rows[i].BarTime:O}");
        _rows = rows;
        _norm = norm;
        _rules = rules;
        // An episode needs the row after its last decision (that bar's close values the position).
        _episodeLength = Math.Min(episodeLength, rows.Count - 1);
        _rewardScale = rewardScale;
        _rng = rng;
        State = ModelState.Start(rows[0].Symbol);
    }

    public void Reset(Span<float> observation) => ResetAt(_rng.NextInt(_rows.Count - _episodeLength), observation);

    /// <summary>Starts an episode at row <paramref name="start"/> with a fresh account (flat, InitialEquity).</summary>
    public void ResetAt(int start, Span<float> observation)
    {
        if (start < 0 || start + _episodeLength >= _rows.Count) throw new ArgumentOutOfRangeException(nameof(start), start, "episode does not fit the rows");
        _t = start;
        _steps = 0;
        State = ModelState.Start(_rows[start].Symbol);
        LastDecision = null;
        State.Observe(_rows[_t], _norm, _current);
        _current.CopyTo(observation);
    }

    public EnvironmentStep Step(int action, double probability, Span<float> observation)
    {
        var bar = _rows[_t];
        var before = Equity(State, bar);
        // _current is the observation the policy saw; Decide hashes it as the live model does.
        var decision = State.Decide(bar, _current, (TradeAction)action, probability, _rules, killSwitch: false, latencyMs: 0);
        State = State.Apply(decision);
        LastDecision = decision;
        _t++;
        _steps++;
        var next = _rows[_t];
        var reward = (Equity(State, next) - before) / PaperAccount.InitialEquity * _rewardScale;
        State.Observe(next, _norm, _current);
        _current.CopyTo(observation);
        return new EnvironmentStep(reward, false, _steps >= _episodeLength);
    }

    /// <summary>The account's equity marked to <paramref name="bar"/>'s close, as Decide marks it.</summary>
    private static double Equity(ModelState state, FeatureSnapshot bar) =>
        state.Account.MarkToMarket(bar.Close, TradingSession.BogotaDate(bar.BarTime)).Equity;
}
