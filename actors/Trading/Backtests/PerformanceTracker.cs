using Cop.Trading.Decisions;

namespace Cop.Trading.Backtests;

/// <summary>
/// Collects, decision by decision, what <see cref="PerformanceReport"/> is computed from: the
/// equity curve (one point per decided bar, with the position held after it) and the fills. A
/// backtest feeds it as it goes (lists preallocated to the number of bars, nothing else kept); a
/// sequence of journaled or stored <see cref="ModelDecided"/> events gives the same report.
/// The account starts flat at <see cref="InitialEquity"/>, as <see cref="PaperAccount.Empty"/> does.
/// </summary>
public sealed class PerformanceTracker(double initialEquity = PaperAccount.InitialEquity, int capacity = 0)
{
    private readonly List<EquityPoint> _curve = new(capacity);
    private readonly List<PaperFill> _fills = [];

    public double InitialEquity { get; } = initialEquity;
    /// <summary>The position held after the last decision added.</summary>
    public int Position { get; private set; }
    public IReadOnlyList<EquityPoint> EquityCurve => _curve;
    public IReadOnlyList<PaperFill> Fills => _fills;

    public void Add(ModelDecided decided) => Add(decided.BarTime, decided.Fill, decided.EquityAfter);

    public void Add(DateTime barTime, PaperFill? fill, double equityAfter)
    {
        if (fill is not null)
        {
            _fills.Add(fill);
            Position = fill.To;
        }
        _curve.Add(new EquityPoint(barTime, equityAfter, Position));
    }

    public PerformanceReport Report() => PerformanceReport.From(_curve, _fills, InitialEquity);
}
