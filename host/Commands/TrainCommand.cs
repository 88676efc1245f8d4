using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cop.Host.Application;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Learning;
using Cop.Persistence.Learning;
using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Trading.Backtests;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop train --experiment E [--timesteps N] [--seed S] [--database D]`: PPO on the
/// experiment's newest dataset, with a progress bar, then the model registered and recorded (the
/// use case is <see cref="ModelTraining"/>).</summary>
public static class TrainCommand
{
    public static Command Build(Func<Func<Task<int>>, Task<int>> guard)
    {
        var train = new Command("train", "Train a PPO policy on an experiment's dataset; register it (status registered) and record it in experiment_models.");
        var experiment = new Option<string>("--experiment") { Description = "Experiment name (hocon/experiments/<name>.conf) or a .conf file.", DefaultValueFactory = _ => "default" };
        var timesteps = new Option<long?>("--timesteps") { Description = "Environment steps (default: experiment.ppo.total-timesteps)." };
        var seed = new Option<int?>("--seed") { Description = "Seed (default: experiment.seed); the same seed and data give the same ONNX file." };
        var dataset = new Option<string?>("--dataset-version") { Description = "Dataset version (default: the experiment's newest)." };
        var database = DatasetCommand.DatabaseOption();
        foreach (var o in new Option[] { experiment, timesteps, seed, dataset, database }) train.Options.Add(o);
        train.SetAction((pr, ct) => guard(() => RunAsync(CopSettings.Load(), pr.GetValue(experiment)!, pr.GetValue(timesteps), pr.GetValue(seed),
            pr.GetValue(dataset), pr.GetValue(database), ct)));
        return train;
    }

    public static async Task<int> RunAsync(CopSettings settings, string experimentName, long? timesteps, int? seed, string? datasetVersion, string? database,
        CancellationToken ct = default)
    {
        // The experiment is read and checked before any server starts.
        var experiment = TrainingExperiment.Load(experimentName, settings.Trading.Models);
        if (timesteps is <= 0) throw new ArgumentException($"--timesteps must be positive (is {timesteps})");
        var objectSettings = ObjectStoreSettings.Load(settings);
        await using var services = await BackingServices.StartAsync(settings, migrate: database is null);
        var cs = await DatasetCommand.OnDatabaseAsync(services, database);
        await using var db = NpgsqlDataSource.Create(ConnectionStrings.Pooled(cs, "cop-train"));
        var objects = objectSettings.Open();
        try
        {
            var total = timesteps ?? experiment.Ppo.TotalTimesteps;
            var modelsDirectory = Path.Combine(Path.GetDirectoryName(settings.PostgresDataDirectory)!, "models");
            ModelTraining.Outcome outcome;
            if (Console.IsOutputRedirected)
                outcome = await ModelTraining.RunAsync(experiment, new ExperimentStore(db), new ModelRegistryStore(db), objects, modelsDirectory,
                    timesteps, seed, datasetVersion, new LogObserver(total), ct);
            else
                outcome = await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask($"PPO {Markup.Escape(experiment.Name)}", maxValue: total);
                        return await ModelTraining.RunAsync(experiment, new ExperimentStore(db), new ModelRegistryStore(db), objects, modelsDirectory,
                            timesteps, seed, datasetVersion, new BarObserver(task, experiment.Name), ct);
                    });
            Print(outcome, objectSettings);
            return 0;
        }
        finally { (objects as IDisposable)?.Dispose(); }
    }

    /// <summary>One line of training figures: steps/s, episode reward, losses, approx-KL, clip fraction, explained variance.</summary>
    private static string Figures(UpdateStats s, double stepsPerSecond, PerformanceReport? validation) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{stepsPerSecond,6:N0} steps/s | update {s.Update} | ep reward {s.EpisodeReward,7:F3} | pg {s.PolicyLoss,7:F4} vf {s.ValueLoss,7:F4} ent {s.EntropyLoss,6:F3} | kl {s.ApproxKl:F4} clip {s.ClipFraction:F3} | ev {s.ExplainedVariance,5:F2}")
        + (validation is null ? "" : string.Create(CultureInfo.InvariantCulture, $" | val return {validation.TotalReturn:P2} Sharpe {validation.Sharpe:F2}"));

    private sealed class BarObserver(ProgressTask task, string experiment) : PolicyTraining.IObserver
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private string? _last;

        public void Step(long timesteps) { if ((timesteps & 255) == 0) task.Value = timesteps; }

        public void Updated(UpdateStats stats, PerformanceReport? validation)
        {
            task.Value = stats.Timesteps;
            if (validation is not null) _last = $" | val return {validation.TotalReturn.ToString("P2", CultureInfo.InvariantCulture)} Sharpe {validation.Sharpe.ToString("F2", CultureInfo.InvariantCulture)}";
            task.Description = Markup.Escape($"PPO {experiment} " + Figures(stats, stats.Timesteps / _clock.Elapsed.TotalSeconds, null) + (_last ?? ""));
        }
    }

    private sealed class LogObserver(long total) : PolicyTraining.IObserver
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        public void Step(long timesteps) { }

        public void Updated(UpdateStats stats, PerformanceReport? validation)
        {
            if (validation is not null || stats.Timesteps >= total)
                Serilog.Log.Information("{Steps}/{Total} {Figures}", stats.Timesteps, total, Figures(stats, stats.Timesteps / _clock.Elapsed.TotalSeconds, validation));
        }
    }

    private static void Print(ModelTraining.Outcome o, ObjectStoreSettings objects)
    {
        var t = o.Training;
        var table = new Table().Title($"validation ({t.Model.Bars:N0} bars), model kept from update {t.BestUpdate} of {t.Updates}")
            .AddColumns("policy", "total return", "Sharpe", "max drawdown", "trades");
        foreach (var (policy, r) in t.Validation)
            table.AddRow(policy, r.TotalReturn.ToString("P2", CultureInfo.InvariantCulture), r.Sharpe.ToString("F2", CultureInfo.InvariantCulture),
                r.MaxDrawdown.ToString("P2", CultureInfo.InvariantCulture), r.TotalTrades.ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        var model = t.Model;
        var beaten = t.Validation.Skip(1).Where(b => b.Report.TotalReturn >= model.TotalReturn).Select(b => b.Policy).ToList();
        AnsiConsole.MarkupLine(beaten.Count == 0
            ? "the model's validation return beats flat, buy-and-hold and the linear baseline"
            : $"[yellow]the model's validation return does not beat: {string.Join(", ", beaten)}[/]");
        AnsiConsole.MarkupLine($"{t.Timesteps:N0} timesteps in {t.Elapsed.TotalSeconds:F1} s ({t.Timesteps / t.Elapsed.TotalSeconds:N0} steps/s incl. evaluations)");
        AnsiConsole.MarkupLine($"model {Markup.Escape(o.Registered.ModelId)} version {Markup.Escape(o.Registered.Version)} registered ({o.Registered.Status}), sha256 {t.Sha256}");
        AnsiConsole.MarkupLine($"files: {Markup.Escape(t.Directory)}; object store: {Markup.Escape(o.Recorded.OnnxPath)}");
        AnsiConsole.MarkupLine(o.AlreadyRecorded ? "already in experiment_models (the same training)" : $"recorded in experiment_models ({Markup.Escape(o.Recorded.Experiment)}, dataset {Markup.Escape(o.DatasetVersion)})");
        AnsiConsole.MarkupLine($"[grey]object store: {Markup.Escape(objects.Describe)}[/]");
    }
}
