using Cop.Persistence.Learning;
using Cop.Tests.Infrastructure;
using Cop.Trading.Learning;
using Npgsql;

namespace Cop.Tests.Persistence;

/// <summary>The experiment records (experiment_runs, experiment_models of migration 060) on a real PostgreSQL.</summary>
[Collection(PersistenceCollection.Name)]
public class ExperimentStoreTests
{
    private static DatasetRun Run(string version, string sha) => new("exp", version, $"/objects/ml-datasets/exp/{version}/dataset.parquet", sha,
        """{"experiment":"exp"}""",
        [
            new SplitSummary(DatasetSplit.Train, new DateTime(2020, 3, 2, 13, 0, 0, DateTimeKind.Utc), new DateTime(2023, 6, 30, 17, 55, 0, DateTimeKind.Utc), 50_000, 12),
            new SplitSummary(DatasetSplit.Validation, new DateTime(2023, 7, 5, 13, 0, 0, DateTimeKind.Utc), new DateTime(2024, 6, 28, 17, 55, 0, DateTimeKind.Utc), 14_000, 0),
            new SplitSummary(DatasetSplit.Test, new DateTime(2024, 7, 3, 13, 0, 0, DateTimeKind.Utc), new DateTime(2025, 6, 30, 17, 55, 0, DateTimeKind.Utc), 14_500, 3),
        ], Cop.Trading.Decisions.NormStats.Identity.ToJson());

    [Fact]
    public async Task Datasets_and_the_models_trained_on_them_are_recorded_and_read_back()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("experiments");
        await using var db = NpgsqlDataSource.Create(cs);
        var store = new ExperimentStore(db);
        var sha = new string('a', 64);
        Assert.True(await store.RecordDatasetAsync(Run("v1", sha)));
        Assert.False(await store.RecordDatasetAsync(Run("v1", sha)));   // the same dataset again: nothing changes
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.RecordDatasetAsync(Run("v1", new string('b', 64))));
        Assert.Contains("already has a dataset version v1", refused.Message);

        var back = (await store.DatasetAsync("exp"))!;
        Assert.Equal(("v1", sha, 50_000, 12, 3), (back.Version, back.Sha256, back[DatasetSplit.Train].Rows, back[DatasetSplit.Train].LeftOut, back[DatasetSplit.Test].LeftOut));
        Assert.Equal(Run("v1", sha).Splits, back.Splits);
        Assert.Null(await store.DatasetAsync("exp", "v9"));

        var model = new TrainedModelRecord("exp", "v1", "ppo_exp_s42", "1", "/objects/ml-models/exp/1/policy.onnx", new string('c', 64), 42, 20_000, 31.5,
            [new PolicyFigures("model", 0.012, 0.8, 0.031, 57), new PolicyFigures("flat", 0, double.NaN, 0, 0),
             new PolicyFigures("buy_and_hold", -0.02, -0.4, 0.09, 1), new PolicyFigures("linear_baseline", 0.004, 0.3, 0.05, 120)],
            "/objects/ml-models/exp/1/training.log");
        await store.RecordTrainedModelAsync(model);
        var models = await store.ModelsAsync("exp");
        var m = Assert.Single(models);
        Assert.Equal(model with { CreatedAt = m.CreatedAt }, m with { Validation = model.Validation });
        Assert.Equal(model.Validation.Select(f => f.Policy), m.Validation.Select(f => f.Policy));
        Assert.Equal(0.012, m.Validation[0].TotalReturn);
        Assert.True(double.IsNaN(m.Validation[1].Sharpe), "a Sharpe without returns stays undefined, not 0");
        Assert.Equal(120, m.Validation[3].Trades);

        Assert.Contains("already recorded", (await Assert.ThrowsAsync<InvalidOperationException>(() => store.RecordTrainedModelAsync(model))).Message);
        Assert.Contains("has no dataset version v2", (await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.RecordTrainedModelAsync(model with { DatasetVersion = "v2", ModelVersion = "2" }))).Message);

        var summary = Assert.Single(await store.ListAsync());
        Assert.Equal(("exp", 1, "v1", 1, "ppo_exp_s42 1"), (summary.Experiment, summary.Datasets, summary.LatestDataset, summary.Models, summary.LatestModel));
    }
}
