namespace Cop.Trading.Learning;

/// <summary>One split's Bogota trading days, both ends inclusive.</summary>
public readonly record struct SplitRange(DatasetSplit Split, DateOnly From, DateOnly To)
{
    /// <summary>The split's name as the experiment file, the Parquet `split` column and the reports spell it.</summary>
    public string Name => SplitNames.Of(Split);

    /// <summary>Whether the bar starting at <paramref name="barTime"/> (UTC) falls on one of the split's days.</summary>
    public bool Contains(DateTime barTime)
    {
        var day = TradingSession.BogotaDate(barTime);
        return day >= From && day <= To;
    }

    /// <summary>The first instant of the split (00:00 Bogota of From), as UTC.</summary>
    public DateTime StartUtc => TradingSession.BogotaMidnightUtc(From);

    /// <summary>The first instant after the split (00:00 Bogota of the day after To), as UTC.</summary>
    public DateTime EndUtc => TradingSession.BogotaMidnightUtc(To.AddDays(1));

    public override string ToString() => $"{Name} ({From:yyyy-MM-dd}..{To:yyyy-MM-dd})";
}
