using Cop.Trading.Features;
using Cop.Trading.Learning;

namespace Cop.Trading.Tests;

/// <summary>The dataset rules (Cop.Trading.Learning): splits and embargo in trading days, refusals
/// naming the splits, rows sorted into splits with the NULL ones counted, norm_stats from train.</summary>
public class LearningDatasetTests
{
    private static SplitRange R(DatasetSplit s, string from, string to) => new(s, DateOnly.Parse(from), DateOnly.Parse(to));

    private static SplitPlan Plan(string a, string b, string c, string d, string e, string f, int embargo = 1) =>
        SplitPlan.Checked(R(DatasetSplit.Train, a, b), R(DatasetSplit.Validation, c, d), R(DatasetSplit.Test, e, f), embargo);

    [Fact]
    public void The_embargo_counts_trading_days_so_a_holiday_between_splits_does_not_count()
    {
        // The default experiment: 3 July 2023 and 1 July 2024 are San Pedro y San Pablo (Monday holidays).
        var plan = Plan("2020-03-02", "2023-06-30", "2023-07-05", "2024-06-28", "2024-07-03", "2025-06-30");
        Assert.Equal(1, plan.EmbargoBetween(DatasetSplit.Train));        // 4 July 2023
        Assert.Equal(1, plan.EmbargoBetween(DatasetSplit.Validation));   // 2 July 2024
        var e = Assert.Throws<ArgumentException>(() => Plan("2020-03-02", "2023-06-30", "2023-07-05", "2024-06-28", "2024-07-03", "2025-06-30", embargo: 2));
        Assert.Equal("splits train (2020-03-02..2023-06-30) and validation (2023-07-05..2024-06-28) leak: 1 trading day(s) between them, the embargo is 2", e.Message);
        Assert.Equal(0, SplitPlan.TradingDays(new DateOnly(2023, 7, 1), new DateOnly(2023, 7, 3)));   // Saturday, Sunday, holiday
    }

    [Theory]
    [InlineData("2020-01-02", "2020-04-15", "2020-04-03", "2020-05-15", "2020-05-20", "2020-06-30", "splits train (2020-01-02..2020-04-15) and validation (2020-04-03..2020-05-15) overlap")]
    [InlineData("2020-01-02", "2020-03-31", "2020-04-03", "2020-05-20", "2020-05-20", "2020-06-30", "splits validation (2020-04-03..2020-05-20) and test (2020-05-20..2020-06-30) overlap")]
    [InlineData("2021-01-04", "2021-03-31", "2020-04-03", "2020-05-15", "2020-05-20", "2020-06-30", "splits train (2021-01-04..2021-03-31) and validation (2020-04-03..2020-05-15) overlap")]
    [InlineData("2020-01-02", "2020-03-31", "2020-04-01", "2020-05-15", "2020-05-20", "2020-06-30", "splits train (2020-01-02..2020-03-31) and validation (2020-04-01..2020-05-15) leak: 0 trading day(s) between them")]
    [InlineData("2020-01-02", "2020-03-31", "2020-04-03", "2020-04-02", "2020-05-20", "2020-06-30", "split validation (2020-04-03..2020-04-02) is empty: it ends before it starts")]
    [InlineData("2020-01-02", "2020-03-31", "2020-04-03", "2020-05-15", "2020-06-27", "2020-06-29", "split test (2020-06-27..2020-06-29) is empty: it holds no trading day")]
    public void A_leaking_or_empty_plan_is_refused_naming_the_splits(string a, string b, string c, string d, string e, string f, string message) =>
        Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => Plan(a, b, c, d, e, f)).Message);

    [Fact]
    public void No_embargo_is_refused() =>
        Assert.Contains("at least 1 trading day", Assert.Throws<ArgumentException>(() =>
            Plan("2020-01-02", "2020-03-31", "2020-04-03", "2020-05-15", "2020-05-20", "2020-06-30", embargo: 0)).Message);

    private static readonly SplitPlan Small = Plan("2024-01-02", "2024-01-03", "2024-01-05", "2024-01-05", "2024-01-10", "2024-01-10");

    private static DatasetRow Row(string day, int bar, double? first = 1.0, double? macro = 2.0, double? position = 0.0, string symbol = "USD/COP")
    {
        var time = TradingSession.BogotaMidnightUtc(DateOnly.Parse(day)).AddHours(8).AddMinutes(5 * bar);
        var raw = new double?[FeatureNames.Count];
        for (var k = 0; k < raw.Length; k++) raw[k] = k + bar * 0.5;
        raw[0] = first;
        raw[FeatureNames.FirstMacro] = macro;
        raw[FeatureNames.Position] = position;
        return new DatasetRow(new FeatureSnapshot(symbol, time, raw, 4000 + bar, DateOnly.Parse(day).AddDays(-1)), 3999, 4001, 3998);
    }

    [Fact]
    public void Rows_go_to_their_split_the_NULL_ones_are_counted_and_those_outside_every_split_are_dropped()
    {
        DatasetRow[] rows =
        [
            Row("2024-01-02", 0, first: null), Row("2024-01-02", 1), Row("2024-01-02", 2, macro: null), Row("2024-01-03", 0, position: null),
            Row("2024-01-04", 0),                                       // the embargo day
            Row("2024-01-05", 0), Row("2024-01-05", 1, first: null),
            Row("2024-01-10", 0), Row("2024-01-10", 1), Row("2024-01-11", 0),   // the last one after test
        ];
        var d = LearningDataset.Assemble("x", "USD/COP", Small, rows);
        Assert.Equal([rows[1].Time, rows[3].Time], d.Train.Select(r => r.Time));   // a NULL position is no NULL feature
        Assert.Equal([rows[5].Time], d.Validation.Select(r => r.Time));
        Assert.Equal([rows[7].Time, rows[8].Time], d.Test.Select(r => r.Time));
        Assert.Equal((2, 1, 0), (d.LeftOut[DatasetSplit.Train], d.LeftOut[DatasetSplit.Validation], d.LeftOut[DatasetSplit.Test]));
        Assert.Equal(1, d.RowEmbargo(DatasetSplit.Train));
        Assert.Null(Small.SplitOf(rows[4].Time));
    }

    [Fact]
    public void A_split_without_a_learnable_row_is_refused_naming_it_and_how_many_were_left_out()
    {
        var e = Assert.Throws<ArgumentException>(() => LearningDataset.Assemble("x", "USD/COP", Small,
            [Row("2024-01-02", 0), Row("2024-01-02", 1), Row("2024-01-05", 0, macro: null), Row("2024-01-10", 0)]));
        Assert.Equal("split validation (2024-01-05..2024-01-05) has no complete feature rows for USD/COP (1 with a NULL feature left out): is the feature store filled for those days?", e.Message);
    }

    [Fact]
    public void Rows_out_of_time_order_or_of_another_symbol_are_refused()
    {
        Assert.Contains("time order", Assert.Throws<ArgumentException>(() =>
            LearningDataset.Assemble("x", "USD/COP", Small, [Row("2024-01-02", 1), Row("2024-01-02", 0)])).Message);
        Assert.Contains("is for EUR/USD", Assert.Throws<ArgumentException>(() =>
            LearningDataset.Assemble("x", "USD/COP", Small, [Row("2024-01-02", 1, symbol: "EUR/USD")])).Message);
    }

    [Fact]
    public void Norm_stats_are_the_mean_and_sample_std_of_the_train_rows_only()
    {
        // Feature 0 over train: 1, 2, 3, 4 (and a NULL row, left out); validation and test hold 100s.
        DatasetRow[] rows =
        [
            Row("2024-01-02", 0, first: 1), Row("2024-01-02", 1, first: 2), Row("2024-01-02", 2, first: null), Row("2024-01-03", 0, first: 3), Row("2024-01-03", 1, first: 4),
            Row("2024-01-05", 0, first: 100), Row("2024-01-10", 0, first: 100),
        ];
        var d = LearningDataset.Assemble("x", "USD/COP", Small, rows);
        var obs = new float[FeatureNames.Count];
        // (4 - 2.5) / sqrt(5/3): the sample std (n - 1), not the population one.
        d.NormStats.Normalise(rows[4].Features.Raw, obs);
        Assert.Equal((float)(1.5 / Math.Sqrt(5.0 / 3.0)), obs[0], 6);
        Assert.Contains("\"log_ret_5m\":{\"mean\":2.5,\"std\":1.2909944487358056}", d.NormStats.ToJson());
        // Position is the model's own, not learned from the stored placeholder: mean 0, std 1, so a position of 1 enters as 1.
        Assert.Contains("\"position\":{\"mean\":0,\"std\":1}", d.NormStats.ToJson());
        var raw = (double?[])rows[0].Features.Raw.Clone();
        raw[FeatureNames.Position] = 1;
        d.NormStats.Normalise(raw, obs);
        Assert.Equal(1f, obs[FeatureNames.Position]);
    }

    [Fact]
    public void Norm_stats_need_two_train_values_of_each_feature() =>
        Assert.Contains("at least 2 values of 'log_ret_5m'", Assert.Throws<ArgumentException>(() =>
            LearningDataset.Assemble("x", "USD/COP", Small, [Row("2024-01-02", 0), Row("2024-01-05", 0), Row("2024-01-10", 0)])).Message);

    [Fact]
    public void A_dataset_whose_rows_cross_their_split_is_caught_by_the_leak_check()
    {
        var d = LearningDataset.Assemble("x", "USD/COP", Small, [Row("2024-01-02", 0), Row("2024-01-02", 1), Row("2024-01-05", 0), Row("2024-01-10", 0)]);
        var moved = d with { Train = [.. d.Train, Row("2024-01-05", 3)] };
        Assert.Contains("is outside split train (2024-01-02..2024-01-03)", Assert.Throws<InvalidOperationException>(moved.AssertNoLeak).Message);
    }
}
