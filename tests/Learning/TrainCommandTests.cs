using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Persistence.Learning;
using Cop.Persistence.Objects;
using Cop.Persistence.Stores;
using Cop.Tests.EndToEnd;
using Cop.Tests.Infrastructure;
using Cop.Trading.Features;
using Npgsql;

namespace Cop.Tests.Learning;

/// <summary>`cop train` end to end on a small real dataset: the bundled 2020 H1 bars and their
/// features stored as the demo stores them, `cop dataset build` on an experiment whose splits fit
/// them, then training: the model is registered (status registered, hashes, norm_stats, train
/// dates) and loadable by PolicySession, its files are in the object store, and it is recorded in
/// experiment_models with its validation figures and the three baselines'.</summary>
[Collection(EndToEndCollection.Name)]
public class TrainCommandTests
{
    private const string Experiment = """
        experiment {
          symbol = "USD/COP"
          seed = 7
          dataset {
            splits {
              train      { from = "2020-03-02", to = "2020-04-24" }
              validation { from = "2020-04-29", to = "2020-05-15" }
              test       { from = "2020-05-20", to = "2020-05-29" }
            }
            embargo-days = 1
          }
          environment { episode-length = 200 }
          ppo { n-steps = 512, batch-size = 64, epochs = 2, eval-every = 2 }
        }
        """;

    [Fact]
    public async Task Training_on_a_built_dataset_registers_a_loadable_model_and_records_it_with_its_baselines()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("train");
        await RealFeatureRows.BuildAsync(cs, store: true);
        var dir = Directory.CreateTempSubdirectory("cop-train-e2e-").FullName;
        try
        {
            var file = Path.Combine(dir, "sample2020.conf");
            await File.WriteAllTextAsync(file, Experiment);
            var settings = ShippedConfig.Settings();
            await using var db = NpgsqlDataSource.Create(cs);
            var objects = new LocalObjectStore(Path.Combine(dir, "objects"));
            var built = await DatasetBuild.RunAsync(db, objects, DatasetExperiment.Load(file, settings.Validation.Instruments), null);

            var experiment = TrainingExperiment.Load(file, settings.Trading.Models);
            var experiments = new ExperimentStore(db);
            var registry = new ModelRegistryStore(db);
            var outcome = await ModelTraining.RunAsync(experiment, experiments, registry, objects, Path.Combine(dir, "models"), timesteps: 2048);

            var model = Assert.Single(await registry.ListAsync());
            Assert.Equal(("registered", outcome.Training.Sha256, PolicySession.Sha256Of(model.FilePath), built.Dataset.NormStats.Hash, FeatureNames.OrderHash),
                (model.Status, model.FileSha256, model.FileSha256, model.NormStatsHash, model.FeatureOrderHash));
            Assert.Equal(built.Dataset.Span(Cop.Trading.Learning.DatasetSplit.Train), (model.TrainingStart!.Value, model.TrainingEnd!.Value));
            using (PolicySession.Load(model.FilePath, model.FileSha256)) { }
            // `cop backtest --period validation|test` of the trained model: its dataset's splits.
            var periods = (await new BacktestStore(db).FindModelAsync(model.ModelId))!;
            Assert.Equal(((new DateOnly(2020, 4, 29), new DateOnly(2020, 5, 15)), (new DateOnly(2020, 5, 20), new DateOnly(2020, 5, 29))),
                (periods.Validation, periods.Test));

            var recorded = Assert.Single(await experiments.ModelsAsync("sample2020"));
            Assert.Equal((model.ModelId, model.Version, outcome.Training.Sha256, 7, 2048L), (recorded.ModelId, recorded.ModelVersion, recorded.OnnxSha256, recorded.Seed, recorded.Timesteps));
            Assert.Equal(["model", "flat", "buy_and_hold", "linear_baseline"], recorded.Validation.Select(v => v.Policy));
            var flat = recorded.Validation.Single(v => v.Policy == "flat");
            Assert.Equal((0.0, 0), (flat.TotalReturn, flat.Trades));   // flat never trades: the figures come from the real path
            Assert.True(recorded.Validation.Single(v => v.Policy == "buy_and_hold").Trades >= 1);
            var stored = await objects.ListAsync(ObjectKeys.ModelFolder("sample2020", model.ModelId));
            Assert.Equal([PolicyTraining.EvaluationFile, PolicyTraining.ModelFile, PolicyTraining.NormStatsFile, PolicyTraining.LogFile],
                stored.Select(o => o.Key.Split('/')[^1]).Order());
            Assert.Equal(4, File.ReadAllLines(Path.Combine(outcome.Training.Directory, PolicyTraining.LogFile)).Length);

            // The same training again: the same file, found already recorded.
            var again = await ModelTraining.RunAsync(experiment, experiments, registry, objects, Path.Combine(dir, "models"), timesteps: 2048);
            Assert.True(again.AlreadyRecorded);
            Assert.Equal(outcome.Training.Sha256, again.Training.Sha256);
            Assert.Single(await experiments.ModelsAsync("sample2020"));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>The `cop` process: trains on the dataset of a database named by --database, prints the
    /// validation table and the registration; bad input is one line and exit 2, nothing registered.</summary>
    [Fact]
    public async Task Cop_train_as_a_process_trains_registers_and_refuses_bad_input_in_one_line()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("traincli");
        await RealFeatureRows.BuildAsync(cs, store: true);
        var dir = Directory.CreateTempSubdirectory("cop-train-cli-").FullName;
        try
        {
            var file = Path.Combine(dir, "sample2020.conf");
            await File.WriteAllTextAsync(file, Experiment);
            var settings = ShippedConfig.Settings();
            var objects = Path.Combine(dir, "objects");
            await using (var db = NpgsqlDataSource.Create(cs))
                await DatasetBuild.RunAsync(db, new LocalObjectStore(objects), DatasetExperiment.Load(file, settings.Validation.Instruments), "v1");
            var empty = await SharedPostgres.NewDatabaseAsync("trainempty");
            var name = new NpgsqlConnectionStringBuilder(cs).Database!;
            var env = new Dictionary<string, string> { ["COP_DATABASE_URL"] = empty, ["COP_OBJECTS_DIR"] = objects, ["COLUMNS"] = "200" };

            using (var cop = CopProcess.Start(dir, env, "train", "--experiment", file, "--timesteps", "1024", "--database", name))
            {
                Assert.True(await cop.ExitCodeAsync(TimeSpan.FromSeconds(180)) == 0, cop.Log);
                Assert.Contains("linear_baseline", cop.Log);
                Assert.Contains("buy_and_hold", cop.Log);
                Assert.Contains("registered (registered)", cop.Log);
                Assert.Contains("recorded in experiment_models", cop.Log);
            }
            var model = Assert.Single(await new ModelRegistryStore(NpgsqlDataSource.Create(cs)).ListAsync());
            Assert.StartsWith("ppo_sample2020_", model.ModelId);
            Assert.Equal("v1-s7-t1024", model.Version);

            foreach (var (args, message) in new[]
            {
                (new[] { "train", "--experiment", "no-such-experiment", "--database", name }, "experiment 'no-such-experiment' not found"),
                (["train", "--experiment", file, "--timesteps", "0", "--database", name], "--timesteps must be positive"),
                (["train", "--experiment", file, "--dataset-version", "v9", "--database", name], "has no dataset version v9"),
            })
            {
                using var bad = CopProcess.Start(dir, env, args);
                Assert.True(await bad.ExitCodeAsync(TimeSpan.FromSeconds(60)) == 2, bad.Log);
                var fatal = bad.Log.Split('\n').Where(l => l.Contains(" FTL]")).ToList();
                Assert.True(fatal.Count == 1 && fatal[0].Contains(message), bad.Log);
                Assert.DoesNotContain("   at ", bad.Log);
            }
            Assert.Single(await new ModelRegistryStore(NpgsqlDataSource.Create(cs)).ListAsync());
        }
        finally { Directory.Delete(dir, true); }
    }
}
