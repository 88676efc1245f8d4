namespace Cop.Trading.Validation;

/// <summary>
/// Decides, for a batch of raw bars, which are stored and which are quarantined (with a
/// reason), before anything is inserted. Pure: the file ingester, the TwelveData poller and the
/// tests call the same function.
///
/// Offsets: real feeds store whole days in COT wall clock labelled +00:00 (08:00+00:00 for the
/// 08:00 Bogota bar). Per Bogota day: when every bar fits the session only read as COT and the
/// day has no correctly stamped bar, the day is unambiguous and (if the rule is on) shifted by
/// +5 h, each bar recorded as repaired. When a day mixes both, the correctly stamped bars are
/// kept (they pass every rule), a mislabelled bar whose +5 h twin exists is quarantined as
/// dual_offset, and one without a twin as ambiguous_offset_day: which copy is right cannot be
/// told, so neither guess reaches the features.
/// </summary>
public static class BarValidator
{
    public const string CotRepair = "cot-labelled-utc +5h";

    /// <param name="isStored">Whether (symbol, time) is already in the bar table (prices unknown:
    /// a stored twin is a plain duplicate).</param>
    /// <param name="tails">The newest stored bar per symbol; updated as bars are accepted.</param>
    public static ValidationResult Validate(IEnumerable<RawBar> batch, Func<string, DateTime, bool> isStored,
        IDictionary<string, SeriesTail> tails, DateTime nowUtc, ValidationRules rules) =>
        Validate(batch, (s, t) => isStored(s, t) ? new Bar(t, double.NaN, double.NaN, double.NaN, double.NaN, 0) : null, tails, nowUtc, rules);

    /// <param name="storedBar">The bar already stored at (symbol, time), or null: a re-sent bar
    /// with other prices is a conflicting_duplicate that names both versions.</param>
    public static ValidationResult Validate(IEnumerable<RawBar> batch, Func<string, DateTime, Bar?> storedBar,
        IDictionary<string, SeriesTail> tails, DateTime nowUtc, ValidationRules rules)
    {
        var accepted = new List<AcceptedBar>();
        var rejected = new List<RejectedBar>();
        foreach (var series in batch.GroupBy(b => b.Symbol, StringComparer.Ordinal))
        {
            // First: a symbol outside the catalogue names no series, tail or row of ours.
            if (!rules.Instruments.Contains(series.Key))
            {
                var why = rules.Instruments.WhyUnknown(series.Key);
                foreach (var raw in series) rejected.Add(new RejectedBar(raw, QuarantineReason.UnknownSymbol, why));
                continue;
            }
            var candidates = new List<(RawBar Raw, DateTime Time, string? Repair)>();
            foreach (var day in series.GroupBy(b => TradingSession.BogotaDate(b.Time.UtcDateTime)))
                ClassifyDay(day.ToList(), rules, candidates, rejected);

            tails.TryGetValue(series.Key, out var tail);
            var seen = new Dictionary<DateTime, RawBar>();
            foreach (var (raw, time, repair) in candidates.OrderBy(c => c.Time))
            {
                var problem = Check(raw, time, tail, seen, storedBar, nowUtc, rules);
                if (problem is { } p) { rejected.Add(new RejectedBar(raw, p.Reason, p.Detail)); continue; }
                seen[time] = raw;
                accepted.Add(new AcceptedBar(raw, new Bar(time, raw.Open, raw.High, raw.Low, raw.Close, raw.Volume), repair));
                tail = new SeriesTail(time, raw.Close);
            }
            if (tail is not null) tails[series.Key] = tail;
        }
        return new ValidationResult(accepted, rejected);
    }

    private static void ClassifyDay(List<RawBar> day, ValidationRules rules,
        List<(RawBar, DateTime, string?)> candidates, List<RejectedBar> rejected)
    {
        var stamped = new HashSet<DateTime>();
        var cotLabelled = new List<RawBar>();
        var other = 0;
        foreach (var b in day)
        {
            var utc = b.Time.UtcDateTime;
            if (TradingSession.IsSessionBar(utc)) { stamped.Add(utc); candidates.Add((b, utc, null)); }
            else if (b.Time.Offset == TimeSpan.Zero && TradingSession.IsSessionBar(AsCot(utc))) cotLabelled.Add(b);
            else
            {
                other++;
                rejected.Add(new RejectedBar(b, QuarantineReason.OutOfSession,
                    $"{b.Time:yyyy-MM-dd HH:mm zzz} is {TradingSession.ToBogota(utc):ddd HH:mm} in Bogota, outside the 08:00-12:55 weekday session"));
            }
        }
        if (cotLabelled.Count == 0) return;

        var unambiguous = stamped.Count == 0 && other == 0;
        foreach (var b in cotLabelled)
        {
            var utc = b.Time.UtcDateTime;
            var shifted = AsCot(utc);
            if (unambiguous && rules.RepairCotLabelledDays)
                candidates.Add((b, shifted, CotRepair));
            else if (unambiguous)
                rejected.Add(new RejectedBar(b, QuarantineReason.CotLabelledDay,
                    $"the whole day {utc:yyyy-MM-dd} is COT wall clock labelled +00:00 and the repair rule is off"));
            else if (stamped.Contains(shifted))
                rejected.Add(new RejectedBar(b, QuarantineReason.DualOffset,
                    $"{b.Time:yyyy-MM-dd HH:mm zzz} is the {shifted:HH:mm} UTC bar again under COT wall clock; the correctly stamped bar is kept"));
            else
                rejected.Add(new RejectedBar(b, QuarantineReason.AmbiguousOffsetDay,
                    $"{b.Time:yyyy-MM-dd HH:mm zzz} fits the session only as COT wall clock, but its day also has correctly stamped bars"));
        }
    }

    private static (QuarantineReason Reason, string Detail)? Check(RawBar b, DateTime time, SeriesTail? tail,
        Dictionary<DateTime, RawBar> seen, Func<string, DateTime, Bar?> storedBar, DateTime nowUtc, ValidationRules rules)
    {
        var day = TradingSession.BogotaDate(time);
        if (MarketCalendar.IsColombianHoliday(day))
            return (QuarantineReason.Holiday, $"{day:yyyy-MM-dd} is a Colombian holiday: the market is closed");
        if (time + TradingSession.BarLength > nowUtc + rules.FutureTolerance)
            return (QuarantineReason.Future, $"the bar starting {time:yyyy-MM-dd HH:mm} UTC ends after now ({nowUtc:yyyy-MM-dd HH:mm:ss} UTC)");

        double o = b.Open, h = b.High, l = b.Low, c = b.Close;
        // Each price on its own: a sum of four 1e308 overflows to infinity and hid a range problem.
        if (!(double.IsFinite(o) && double.IsFinite(h) && double.IsFinite(l) && double.IsFinite(c)))
            return (QuarantineReason.NonPositivePrice, $"prices must be finite numbers: O={o} H={h} L={l} C={c}");
        if (!(o > 0 && h > 0 && l > 0 && c > 0))
            return (QuarantineReason.NonPositivePrice, $"prices must be positive: O={o} H={h} L={l} C={c}");
        if (l > Math.Min(o, c) || h < Math.Max(o, c) || h < l)
            return (QuarantineReason.OhlcInconsistent, $"need low <= min(open, close) and high >= max(open, close): O={o} H={h} L={l} C={c}");
        if (l < rules.MinPrice || h > rules.MaxPrice)
            return (QuarantineReason.PriceOutOfRange, $"[{l}, {h}] leaves the plausible range [{rules.MinPrice}, {rules.MaxPrice}]");

        var twin = seen.TryGetValue(time, out var earlier)
            ? new Bar(time, earlier.Open, earlier.High, earlier.Low, earlier.Close, earlier.Volume)
            : storedBar(b.Symbol, time);
        if (twin is { } t)
        {
            var where = seen.ContainsKey(time) ? "earlier in this input" : "already stored";
            // Prices unknown (NaN) count as the same bar: only a known difference is a conflict.
            var known = !double.IsNaN(t.Open);
            if (known && (t.Open != o || t.High != h || t.Low != l || t.Close != c))
                return (QuarantineReason.ConflictingDuplicate,
                    $"{b.Symbol} {time:yyyy-MM-dd HH:mm} UTC is {where} with O={t.Open} H={t.High} L={t.Low} C={t.Close}; " +
                    $"this copy has O={o} H={h} L={l} C={c}; the first is kept");
            return (QuarantineReason.Duplicate, $"{b.Symbol} {time:yyyy-MM-dd HH:mm} UTC is {where}");
        }
        if (tail is not null && time <= tail.Time)
            return (QuarantineReason.OutOfOrder, $"{time:yyyy-MM-dd HH:mm} UTC is older than the newest stored bar {tail.Time:yyyy-MM-dd HH:mm} UTC: a backfill needs a rebuild");

        var range = Math.Log(h / l);
        if (range > rules.MaxJump)
            return (QuarantineReason.ImpossibleJump, $"high/low range of {range:P1} within one bar exceeds {rules.MaxJump:P1}");
        if (tail is not null)
        {
            var move = Math.Max(Math.Abs(Math.Log(h / tail.Close)), Math.Abs(Math.Log(l / tail.Close)));
            if (move > rules.MaxJump)
                return (QuarantineReason.ImpossibleJump, $"{move:P1} from the previous close {tail.Close} exceeds {rules.MaxJump:P1}");
        }
        return null;
    }

    /// <summary>The instant a +00:00 label means if it was really Bogota wall clock.</summary>
    private static DateTime AsCot(DateTime labelledUtc) => labelledUtc - TradingSession.BogotaOffset;
}
