using Cop.Trading;
using Cop.Trading.Validation;

namespace Cop.Trading.Tests;

public class BarValidatorTests
{
    private static readonly DateTime Now = new(2024, 7, 10, 0, 0, 0, DateTimeKind.Utc);
    private static readonly ValidationRules Rules = new() { RepairCotLabelledDays = true };

    private static RawBar Raw(string time, double o = 4000, double h = 4001, double l = 3999, double c = 4000.5) =>
        new("USD/COP", DateTimeOffset.Parse(time), o, h, l, c, 0, "test", $"line {time}", time);

    private static ValidationResult Validate(IEnumerable<RawBar> bars, ValidationRules? rules = null,
        Dictionary<string, SeriesTail>? tails = null, Func<string, DateTime, bool>? stored = null) =>
        BarValidator.Validate(bars, stored ?? ((_, _) => false), tails ?? new(), Now, rules ?? Rules);

    private static QuarantineReason Single(ValidationResult r) => Assert.Single(r.Rejected).Reason;

    [Fact]
    public void A_correct_session_bar_is_accepted_as_is()
    {
        var r = Validate([Raw("2024-07-02 13:00:00+00:00"), Raw("2024-07-02T08:05:00-05:00")]);
        Assert.Empty(r.Rejected);
        Assert.Equal([new DateTime(2024, 7, 2, 13, 0, 0, DateTimeKind.Utc), new DateTime(2024, 7, 2, 13, 5, 0, DateTimeKind.Utc)],
            r.Accepted.Select(a => a.Bar.Time));
        Assert.All(r.Accepted, a => Assert.Null(a.Repair));
    }

    [Theory]
    [InlineData("2024-07-02 18:00:00+00:00")]  // 13:00 Bogota
    [InlineData("2024-07-06 15:00:00+00:00")]  // Saturday
    [InlineData("2024-07-02 13:02:00+00:00")]  // off the 5-minute grid
    [InlineData("2024-07-02T07:55:00-05:00")]  // correctly labelled, before the open
    public void Out_of_session(string time) => Assert.Equal(QuarantineReason.OutOfSession, Single(Validate([Raw(time)])));

    [Fact]
    public void Colombian_holiday() => Assert.Equal(QuarantineReason.Holiday, Single(Validate([Raw("2024-07-01 13:00:00+00:00")])));

    [Fact]
    public void The_same_bar_under_two_offsets_keeps_the_correctly_stamped_one()
    {
        var r = Validate([Raw("2024-07-02 08:00:00+00:00", c: 4000.7), Raw("2024-07-02 13:00:00+00:00"), Raw("2024-07-02 08:05:00+00:00")]);
        Assert.Equal(new DateTime(2024, 7, 2, 13, 0, 0, DateTimeKind.Utc), Assert.Single(r.Accepted).Bar.Time);
        Assert.Equal([QuarantineReason.DualOffset, QuarantineReason.AmbiguousOffsetDay], r.Rejected.Select(x => x.Reason).Order());
        Assert.Contains("08:00", r.Rejected.First(x => x.Reason == QuarantineReason.DualOffset).Detail);
    }

    [Fact]
    public void An_unambiguous_COT_labelled_day_is_repaired_when_the_rule_is_on_and_quarantined_when_off()
    {
        RawBar[] day = [Raw("2024-07-02 08:00:00+00:00"), Raw("2024-07-02 08:05:00+00:00"), Raw("2024-07-02 12:55:00+00:00")];
        var repaired = Validate(day);
        Assert.Empty(repaired.Rejected);
        Assert.All(repaired.Accepted, a => Assert.Equal(BarValidator.CotRepair, a.Repair));
        Assert.Equal(new DateTime(2024, 7, 2, 17, 55, 0, DateTimeKind.Utc), repaired.Accepted[^1].Bar.Time);

        var off = Validate(day, Rules with { RepairCotLabelledDays = false });
        Assert.Empty(off.Accepted);
        Assert.All(off.Rejected, x => Assert.Equal(QuarantineReason.CotLabelledDay, x.Reason));
    }

    [Fact]
    public void A_COT_labelled_day_with_a_bar_fitting_neither_reading_is_ambiguous()
    {
        var r = Validate([Raw("2024-07-02 08:00:00+00:00"), Raw("2024-07-02 21:00:00+00:00")]);
        Assert.Empty(r.Accepted);
        Assert.Equal([QuarantineReason.OutOfSession, QuarantineReason.AmbiguousOffsetDay], r.Rejected.Select(x => x.Reason).Order());
    }

    [Theory]
    [InlineData(4000, 4001, 4000.2, 4000.5)]   // low above the open
    [InlineData(4000, 4000.4, 3999, 4000.5)]   // high below the close
    public void Ohlc_inconsistent(double o, double h, double l, double c) =>
        Assert.Equal(QuarantineReason.OhlcInconsistent, Single(Validate([Raw("2024-07-02 13:00:00+00:00", o, h, l, c)])));

    [Theory]
    [InlineData(0, 4001, 0, 4000)]
    [InlineData(-1, 4001, -1, 4000)]
    [InlineData(double.NaN, 4001, 3999, 4000)]
    public void Non_positive_or_not_a_number(double o, double h, double l, double c) =>
        Assert.Equal(QuarantineReason.NonPositivePrice, Single(Validate([Raw("2024-07-02 13:00:00+00:00", o, h, l, c)])));

    [Fact]
    public void Price_out_of_range() =>
        Assert.Equal(QuarantineReason.PriceOutOfRange, Single(Validate([Raw("2024-07-02 13:00:00+00:00", 40000, 40010, 39990, 40000)])));

    [Fact]
    public void Impossible_jump_from_the_previous_close_and_within_a_bar()
    {
        var tails = new Dictionary<string, SeriesTail> { ["USD/COP"] = new(new DateTime(2024, 7, 2, 13, 0, 0, DateTimeKind.Utc), 4000) };
        var r = Validate([Raw("2024-07-02 13:05:00+00:00", 4800, 4801, 4799, 4800), Raw("2024-07-02 13:10:00+00:00")], tails: tails);
        Assert.Equal(QuarantineReason.ImpossibleJump, Single(r));
        Assert.Equal(new DateTime(2024, 7, 2, 13, 10, 0, DateTimeKind.Utc), Assert.Single(r.Accepted).Bar.Time);  // judged against 4000, not 4800
        Assert.Equal(QuarantineReason.ImpossibleJump, Single(Validate([Raw("2024-07-02 13:00:00+00:00", 4000, 4900, 3999, 4000)])));
    }

    [Fact]
    public void Future_bars_are_refused_including_the_one_still_forming()
    {
        var now = new DateTime(2024, 7, 2, 13, 7, 0, DateTimeKind.Utc);
        var r = BarValidator.Validate([Raw("2024-07-02 13:00:00+00:00"), Raw("2024-07-02 13:05:00+00:00"), Raw("2024-07-03 13:00:00+00:00")],
            (_, _) => false, new Dictionary<string, SeriesTail>(), now, Rules);
        Assert.Single(r.Accepted);
        Assert.All(r.Rejected, x => Assert.Equal(QuarantineReason.Future, x.Reason));
        Assert.Equal(2, r.Rejected.Count);
    }

    [Fact]
    public void Duplicates_in_the_batch_and_in_the_store()
    {
        var stored = new DateTime(2024, 7, 2, 13, 0, 0, DateTimeKind.Utc);
        var r = Validate([Raw("2024-07-02 13:00:00+00:00"), Raw("2024-07-02 13:05:00+00:00"), Raw("2024-07-02T08:05:00-05:00")],
            stored: (_, t) => t == stored, tails: new() { ["USD/COP"] = new(stored, 4000) });
        Assert.Equal([QuarantineReason.Duplicate, QuarantineReason.Duplicate], r.Rejected.Select(x => x.Reason));
        Assert.Single(r.Accepted);
    }

    [Fact]
    public void Older_than_the_newest_stored_bar_is_out_of_order()
    {
        var tails = new Dictionary<string, SeriesTail> { ["USD/COP"] = new(new DateTime(2024, 7, 3, 13, 0, 0, DateTimeKind.Utc), 4000) };
        Assert.Equal(QuarantineReason.OutOfOrder, Single(Validate([Raw("2024-07-02 13:00:00+00:00")], tails: tails)));
    }

    [Fact]
    public void Every_bar_lands_in_exactly_one_list_and_every_reason_has_a_code()
    {
        var bars = Enumerable.Range(0, 200).Select(i => Raw(new DateTime(2024, 7, 1, 6, 0, 0).AddMinutes(5 * i).ToString("yyyy-MM-dd HH:mm:ss+00:00"))).ToList();
        var r = Validate(bars);
        Assert.Equal(bars.Count, r.Accepted.Count + r.Rejected.Count);
        Assert.All(Enum.GetValues<QuarantineReason>(), x => Assert.False(string.IsNullOrEmpty(x.Code())));
    }
}
