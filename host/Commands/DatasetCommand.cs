using System.CommandLine;
using Cop.Host.Application;
using Cop.Host.Configuration;
using Cop.Host.Infrastructure;
using Cop.Persistence.Schema;
using Cop.Trading.Learning;
using Npgsql;
using Spectre.Console;

namespace Cop.Host.Commands;

/// <summary>`cop dataset build --experiment E [--version V] [--database D]`: an experiment's dataset
/// from the feature store into the object store and experiment_runs (the use case is <see cref="DatasetBuild"/>).</summary>
public static class DatasetCommand
{
    public static Command Build(Func<Func<Task<int>>, Task<int>> guard)
    {
        var dataset = new Command("dataset", "Datasets for training and backtests, built from the feature store.");
        var build = new Command("build", "Build an experiment's train/validation/test dataset (Parquet) into the object store and experiment_runs.");
        var experiment = new Option<string>("--experiment") { Description = "Experiment name (hocon/experiments/<name>.conf) or a .conf file.", DefaultValueFactory = _ => "default" };
        var version = new Option<string?>("--version") { Description = "Version label (default: the first 12 hex digits of the file's SHA-256)." };
        var database = DatabaseOption();
        build.Options.Add(experiment);
        build.Options.Add(version);
        build.Options.Add(database);
        build.SetAction((pr, ct) => guard(() => RunAsync(CopSettings.Load(), pr.GetValue(experiment)!, pr.GetValue(version), pr.GetValue(database), ct)));
        dataset.Subcommands.Add(build);
        return dataset;
    }

    /// <summary>Tables written to a pipe or a file are not cut at 80 columns (Spectre's width without a terminal).</summary>
    internal static void WideWhenRedirected()
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
    }

    internal static Option<string?> DatabaseOption() => new("--database")
    {
        Description = "A database on the same server (e.g. cop_demo, which `cop demo` fills); default: the configured one.",
    };

    public static async Task<int> RunAsync(CopSettings settings, string experimentName, string? version, string? database, CancellationToken ct = default)
    {
        // The experiment is read and checked before any server starts: a bad file costs nothing.
        var experiment = DatasetExperiment.Load(experimentName, settings.Validation.Instruments);
        var objects = ObjectStoreSettings.Load(settings);
        await using var services = await BackingServices.StartAsync(settings, migrate: database is null);
        var cs = await OnDatabaseAsync(services, database);
        await using var db = NpgsqlDataSource.Create(ConnectionStrings.Pooled(cs, "cop-dataset"));
        var store = objects.Open();
        try
        {
            var result = await DatasetBuild.RunAsync(db, store, experiment, version, ct);
            Print(result, experiment, objects);
            return 0;
        }
        finally { (store as IDisposable)?.Dispose(); }
    }

    /// <summary>The connection string of <paramref name="database"/> on the server <paramref name="services"/>
    /// reaches (migrated), or of the configured database when null. A database that does not exist is named.</summary>
    internal static async Task<string> OnDatabaseAsync(BackingServices services, string? database)
    {
        if (database is null) return services.ConnectionString;
        var cs = new NpgsqlConnectionStringBuilder(services.ConnectionString) { Database = database }.ConnectionString;
        try
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            throw new InvalidOperationException($"database {database} does not exist on {services.Describe} (cop demo creates cop_demo)");
        }
        DatabaseMigrator.Apply(cs);
        return cs;
    }

    private static void Print(DatasetBuild.Result result, DatasetExperiment experiment, ObjectStoreSettings objects)
    {
        WideWhenRedirected();
        var d = result.Dataset;
        var table = new Table().Title($"dataset {Markup.Escape(experiment.Name)} {Markup.Escape(d.Version!)} ({Markup.Escape(d.Symbol)})")
            .AddColumns("split", "days", "first bar (UTC)", "last bar (UTC)", "rows", "left out (NULL feature)", "trading days to next split");
        foreach (var s in SplitNames.All)
        {
            var range = d.Plan[s];
            var (first, last) = d.Span(s);
            table.AddRow(range.Name, $"{range.From:yyyy-MM-dd}..{range.To:yyyy-MM-dd}", $"{first:yyyy-MM-dd HH:mm}", $"{last:yyyy-MM-dd HH:mm}",
                d[s].Count.ToString("N0"), d.LeftOut[s].ToString("N0"), s == DatasetSplit.Test ? "" : d.RowEmbargo(s).ToString());
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"anti-leakage: train < validation < test, each gap >= {d.Plan.EmbargoDays} trading day(s) (checked on the plan and on the rows); norm_stats from the {d.Train.Count:N0} train rows (hash {d.NormStats.Hash[..12]})");
        AnsiConsole.MarkupLine($"file: {Markup.Escape(result.Run.Path)} ({result.Bytes:N0} bytes, sha256 {d.Sha256})");
        AnsiConsole.MarkupLine(result.Recorded
            ? $"recorded in experiment_runs as {Markup.Escape(experiment.Name)} {Markup.Escape(d.Version!)}; built in {result.Elapsed.TotalSeconds:F1} s"
            : $"already recorded as {Markup.Escape(experiment.Name)} {Markup.Escape(d.Version!)} with this hash (same data, same file); built in {result.Elapsed.TotalSeconds:F1} s");
        AnsiConsole.MarkupLine($"[grey]object store: {Markup.Escape(objects.Describe)}[/]");
    }
}
