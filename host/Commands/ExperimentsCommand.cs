using System.CommandLine;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Learning;
using Cop.Persistence.Schema;
using Cop.Trading.Learning;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop experiments list | show NAME`: the datasets built and the models trained on them, with
/// the models' validation figures beside the baselines' (experiment_runs, experiment_models).</summary>
public static class ExperimentsCommand
{
    public static Command Build(Func<Func<Task<int>>, Task<int>> guard)
    {
        var experiments = new Command("experiments", "Experiments: datasets built, models trained and their validation figures.");
        var database = DatasetCommand.DatabaseOption();
        var list = new Command("list", "Every experiment with its datasets and models.");
        list.Options.Add(database);
        list.SetAction((pr, _) => guard(() => WithStoreAsync(CopSettings.Load(), pr.GetValue(database), ListAsync)));
        var name = new Argument<string>("name") { Description = "The experiment, e.g. default." };
        var show = new Command("show", "An experiment's datasets (version, hash, path, rows per split, rows left out, split dates) and models.");
        show.Arguments.Add(name);
        show.Options.Add(database);
        show.SetAction((pr, _) => guard(() => WithStoreAsync(CopSettings.Load(), pr.GetValue(database), s => ShowAsync(s, pr.GetValue(name)!))));
        experiments.Subcommands.Add(list);
        experiments.Subcommands.Add(show);
        return experiments;
    }

    public static async Task<int> WithStoreAsync(CopSettings settings, string? database, Func<ExperimentStore, Task<int>> action)
    {
        DatasetCommand.WideWhenRedirected();
        await using var services = await BackingServices.StartAsync(settings, migrate: database is null);
        var cs = await DatasetCommand.OnDatabaseAsync(services, database);
        await using var db = NpgsqlDataSource.Create(ConnectionStrings.Pooled(cs, "cop-experiments"));
        return await action(new ExperimentStore(db));
    }

    public static async Task<int> ListAsync(ExperimentStore store)
    {
        var all = await store.ListAsync();
        if (all.Count == 0)
        {
            AnsiConsole.MarkupLine("no experiments yet: [bold]cop dataset build --experiment default[/] builds the first dataset");
            return 0;
        }
        var table = new Table().Title("experiments").AddColumns("experiment", "datasets", "latest dataset", "built (UTC)", "models", "latest model");
        foreach (var e in all)
            table.AddRow(Markup.Escape(e.Experiment), e.Datasets.ToString(), Markup.Escape(e.LatestDataset ?? ""),
                e.LatestDatasetAt is { } at ? $"{at:yyyy-MM-dd HH:mm}" : "", e.Models.ToString(), Markup.Escape(e.LatestModel ?? ""));
        AnsiConsole.Write(table);
        return 0;
    }

    public static async Task<int> ShowAsync(ExperimentStore store, string experiment)
    {
        var datasets = await store.DatasetsAsync(experiment);
        var models = await store.ModelsAsync(experiment);
        if (datasets.Count == 0 && models.Count == 0)
            throw new InvalidOperationException($"experiment {experiment} has no dataset and no model (cop experiments list shows those that do)");

        var runs = new Table().Title($"{Markup.Escape(experiment)}: datasets").AddColumns("version", "built (UTC)", "sha256", "split", "first bar", "last bar", "rows", "left out (NULL)");
        foreach (var d in datasets)
            foreach (var s in SplitNames.All)
            {
                var split = d[s];
                var first = s == DatasetSplit.Train;
                runs.AddRow(first ? Markup.Escape(d.Version) : "", first && d.CreatedAt is { } at ? $"{at:yyyy-MM-dd HH:mm}" : "", first ? d.Sha256[..12] : "",
                    SplitNames.Of(s), $"{split.First:yyyy-MM-dd HH:mm}", $"{split.Last:yyyy-MM-dd HH:mm}", split.Rows.ToString("N0"), split.LeftOut.ToString("N0"));
            }
        AnsiConsole.Write(runs);
        foreach (var d in datasets) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(d.Version)}: {Markup.Escape(d.Path)}[/]");

        if (models.Count == 0)
        {
            AnsiConsole.MarkupLine($"no model trained yet: [bold]cop train --experiment {Markup.Escape(experiment)}[/]");
            return 0;
        }
        var trained = new Table().Title($"{Markup.Escape(experiment)}: models (validation split)")
            .AddColumns("model", "dataset", "seed", "timesteps", "train s", "policy", "total return", "Sharpe", "max drawdown", "trades");
        foreach (var m in models)
            for (var k = 0; k < Math.Max(1, m.Validation.Count); k++)
            {
                var f = k < m.Validation.Count ? m.Validation[k] : null;
                var head = k == 0;
                trained.AddRow(head ? Markup.Escape($"{m.ModelId} {m.ModelVersion}") : "", head ? Markup.Escape(m.DatasetVersion) : "",
                    head ? m.Seed.ToString() : "", head ? m.Timesteps.ToString("N0") : "", head ? m.TrainingSeconds.ToString("F0") : "",
                    Markup.Escape(f?.Policy ?? "-"), Percent(f?.TotalReturn), f is null ? "" : f.Sharpe.ToString("F2"), Percent(f?.MaxDrawdown), f?.Trades.ToString("N0") ?? "");
            }
        AnsiConsole.Write(trained);
        foreach (var m in models)
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m.ModelId)}: {Markup.Escape(m.OnnxPath)} (sha256 {m.OnnxSha256[..12]}){(m.LogPath is { } log ? $", log {Markup.Escape(log)}" : "")}[/]");
        return 0;
    }

    private static string Percent(double? x) => x is { } v && double.IsFinite(v) ? $"{v * 100:F2} %" : "";
}
