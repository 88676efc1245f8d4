using System.Diagnostics;
using System.Text;
using Cop.Host.Application;
using Cop.Persistence.Stores;
using Cop.Streams.Ingestion;
using Cop.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.Host;

/// <summary>`cop backtest` as an operator runs it: bad input ends with one line naming what was wrong,
/// exit 2 and nothing in backtest_results; a good run shows its progress, agrees with itself in both
/// modes and stores one row per mode.</summary>
[Collection(HostCollection.Name)]
public class BacktestCommandTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data");
    private readonly string _home = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cop-backtest-{Guid.NewGuid():N}")).FullName;

    public void Dispose()
    {
        try { Directory.Delete(_home, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task Bad_input_is_named_in_one_line_with_exit_2_and_nothing_stored_and_a_good_run_stores_its_rows()
    {
        var settings = ShippedConfig.Settings();
        var cs = await SharedPostgres.NewDatabaseAsync("btcli");
        await using var db = NpgsqlDataSource.Create(cs);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Path.Combine(Fixtures, "macro_indicators_daily_2019_2020.csv.gz")]);
        var registry = new ModelRegistryStore(db);
        var baseline = await ModelRegistration.RegisterBaselineAsync(registry, Path.Combine(_home, "models"), deploy: false);
        // A copy of the file changed after registration: it no longer matches the registered SHA-256.
        var tampered = Path.Combine(_home, "tampered.onnx");
        await File.WriteAllBytesAsync(tampered, [.. await File.ReadAllBytesAsync(baseline.FilePath), 0]);
        await registry.RegisterAsync(baseline with { ModelId = "tampered", FilePath = tampered });
        await using (var bars = new BarStore(cs))
            await new BarIngester(bars, new QuarantineStore(db), settings.Validation, "test").IngestFileAsync(Path.Combine(Fixtures, "usdcop_m5_2020h1.csv.gz"), DateTime.UtcNow, maxDays: 10);

        var cases = new (string[] Args, string Says)[]
        {
            (["--model", "nope", "--from", "2020-01-02", "--to", "2020-01-10"], "unknown model 'nope'"),
            (["--model", baseline.ModelId, "--from", "2020-01-10", "--to", "2020-01-02"], "--from 2020-01-10 is after --to 2020-01-02"),
            (["--model", baseline.ModelId, "--from", "2019-03-01", "--to", "2019-03-31"], "no bars of USD/COP between 2019-03-01 and 2019-03-31"),
            (["--model", "tampered", "--from", "2020-01-02", "--to", "2020-01-10"], "does not match the registry's"),
            (["--model", baseline.ModelId, "--from", "2020-13-01", "--to", "2020-01-10"], "--from '2020-13-01' is not a date (yyyy-MM-dd)"),
            (["--model", baseline.ModelId, "--period", "test"], $"model '{baseline.ModelId}' has no test period recorded"),
            (["--model", baseline.ModelId, "--from", "2020-01-02"], "a custom period needs --from and --to"),
        };
        foreach (var (args, says) in cases)
        {
            var (code, text) = await CopAsync(["backtest", .. args], cs);
            var fatal = text.Split('\n').Where(l => l.Contains(" FTL]")).ToList();
            Assert.True(code == 2 && fatal.Count == 1 && fatal[0].Contains(says), $"cop backtest {string.Join(' ', args)}: exit {code}, expected one line saying \"{says}\":\n{text}");
            Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM backtest_results"));
        }

        // A good run, both modes from the bars themselves: one row each, the same signature.
        var (ok, log) = await CopAsync(["backtest", "--model", baseline.ModelId, "--from", "2020-01-02", "--to", "2020-01-15", "--rebuild-features", "--mode", "both"], cs);
        Assert.True(ok == 0, log);
        Assert.Contains("fast loop and actor agree", log);
        Assert.Equal(2L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM backtest_results WHERE features_source = 'rebuilt' AND run_source = 'backend'"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(cs, "SELECT count(DISTINCT signature) FROM backtest_results"));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(cs, "SELECT count(DISTINCT engine) FROM backtest_results"));
    }

    private async Task<(int ExitCode, string Output)> CopAsync(string[] args, string database)
    {
        var r = await CopProcess.RunAsync(_home, database, args, output);
        return (r.ExitCode, r.Output);
    }
}
