namespace Cop.Trading.Learning;

/// <summary>
/// An experiment's train / validation / test days and the embargo between them: the anti-leakage
/// rule every dataset is built under. <see cref="Checked"/> refuses a plan in which a split is
/// empty, out of order, overlaps the next, or leaves fewer than <see cref="EmbargoDays"/> trading
/// days (MarketCalendar) between them, so no episode, return or indicator window spans a boundary.
/// </summary>
public sealed record SplitPlan
{
    private SplitPlan(SplitRange train, SplitRange validation, SplitRange test, int embargoDays)
    {
        Train = train; Validation = validation; Test = test; EmbargoDays = embargoDays;
    }

    public SplitRange Train { get; }
    public SplitRange Validation { get; }
    public SplitRange Test { get; }
    /// <summary>Trading days that must lie strictly between one split's last day and the next one's first.</summary>
    public int EmbargoDays { get; }

    public IReadOnlyList<SplitRange> Ranges => [Train, Validation, Test];

    public SplitRange this[DatasetSplit split] => split switch
    {
        DatasetSplit.Train => Train,
        DatasetSplit.Validation => Validation,
        _ => Test,
    };

    /// <summary>The plan, or an <see cref="ArgumentException"/> naming the splits that break the rule.</summary>
    public static SplitPlan Checked(SplitRange train, SplitRange validation, SplitRange test, int embargoDays)
    {
        if (embargoDays < 1)
            throw new ArgumentException($"embargo-days = {embargoDays}: at least 1 trading day must separate the splits");
        if (train.Split != DatasetSplit.Train || validation.Split != DatasetSplit.Validation || test.Split != DatasetSplit.Test)
            throw new ArgumentException("the splits must be given as train, validation, test");
        SplitRange[] ranges = [train, validation, test];
        foreach (var r in ranges)
        {
            if (r.To < r.From) throw new ArgumentException($"split {r} is empty: it ends before it starts");
            if (TradingDays(r.From, r.To) == 0) throw new ArgumentException($"split {r} is empty: it holds no trading day");
        }
        for (var k = 0; k + 1 < ranges.Length; k++)
        {
            var (a, b) = (ranges[k], ranges[k + 1]);
            if (b.From <= a.To)
                throw new ArgumentException($"splits {a} and {b} overlap: {a.Name} must end before {b.Name} starts, with at least {embargoDays} trading day(s) between them");
            var gap = TradingDays(a.To.AddDays(1), b.From.AddDays(-1));
            if (gap < embargoDays)
                throw new ArgumentException($"splits {a} and {b} leak: {gap} trading day(s) between them, the embargo is {embargoDays}");
        }
        return new SplitPlan(train, validation, test, embargoDays);
    }

    /// <summary>The split the bar starting at <paramref name="barTime"/> (UTC) belongs to; null in the
    /// warm-up before train, an embargo or after test.</summary>
    public DatasetSplit? SplitOf(DateTime barTime)
    {
        foreach (var r in Ranges)
            if (r.Contains(barTime)) return r.Split;
        return null;
    }

    /// <summary>The trading days (MarketCalendar) from <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    public static int TradingDays(DateOnly from, DateOnly to)
    {
        var n = 0;
        for (var d = from; d <= to; d = d.AddDays(1))
            if (MarketCalendar.IsTradingDay(d)) n++;
        return n;
    }

    /// <summary>Trading days strictly between two splits (the embargo actually left).</summary>
    public int EmbargoBetween(DatasetSplit earlier) => earlier switch
    {
        DatasetSplit.Train => TradingDays(Train.To.AddDays(1), Validation.From.AddDays(-1)),
        DatasetSplit.Validation => TradingDays(Validation.To.AddDays(1), Test.From.AddDays(-1)),
        _ => throw new ArgumentException("test is the last split"),
    };
}
