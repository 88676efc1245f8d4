using System.Diagnostics;
using Cop.Actors.Macro;
using Cop.Host.Commands;
using Cop.Persistence.Stores;
using Cop.Tests.Infrastructure;
using Cop.Trading.Features;
using Cop.Trading.Macro;
using Npgsql;

namespace Cop.Tests.Host;

/// <summary>`cop macro status / accept / reject` as an operator runs them (issue 13): a stale
/// series is shown with its reason, a decision is one line and is recorded, bad arguments are one
/// line and a non-zero exit.</summary>
[Collection(HostCollection.Name)]
public class MacroCommandTests
{
    private static readonly Cop.Streams.Macro.MacroSettings Settings = ShippedConfig.Settings().Macro;

    private static async Task<(int Exit, string Output)> CopAsync(string cs, string home, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "cop.dll"), .. args])
        {
            WorkingDirectory = home,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["COP_DATABASE_URL"] = cs },
        };
        using var cop = Process.Start(start)!;
        var stdout = cop.StandardOutput.ReadToEndAsync();
        var stderr = cop.StandardError.ReadToEndAsync();
        Assert.True(cop.WaitForExit(TimeSpan.FromSeconds(120)), $"cop {string.Join(' ', args)} did not finish");
        return (cop.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Status_shows_a_stale_series_accept_records_the_decision_and_bad_arguments_are_one_line()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("macrocli");
        await using var db = NpgsqlDataSource.Create(cs);
        var store = new MacroStore(db);
        var dxy = Settings[MacroColumns.Dxy];
        var truth = Enumerable.Range(0, 30).Select(i => new MacroValue(new DateOnly(2025, 1, 1).AddDays(i), 104)).ToList();
        var rebased = Enumerable.Range(0, 10).Select(i => new MacroValue(new DateOnly(2025, 2, 1).AddDays(i), 125)).ToList();
        await MacroIntake.StoreAsync(store, dxy, truth, truth[^1].Date);
        foreach (var v in rebased) await MacroIntake.StoreAsync(store, dxy, [v], v.Date);
        Assert.Single(await MacroHealth.StaleAsync(db, Settings.Catalogue));   // what /health reports as degraded

        var home = Directory.CreateTempSubdirectory("cop-macro-cli-").FullName;
        try
        {
            var (exit, status) = await CopAsync(cs, home, "macro", "status");
            Assert.True(exit == 0, status);
            Assert.Contains($"stale {dxy.Column}: last accepted 2025-01-30, 10 values waiting, newest 2025-02-10 = 125: jump of 20.2 %", status);

            (exit, var accepted) = await CopAsync(cs, home, "macro", "accept", dxy.Column, "--from", "2025-02-01", "--reason", "provider rebased the index");
            Assert.True(exit == 0, accepted);
            Assert.Contains($"accepted 10 values of {dxy.Column} from 2025-02-01", accepted);
            Assert.Equal("provider rebased the index", await Sql.ScalarAsync<string>(cs, "SELECT reason FROM macro_decisions"));
            Assert.Contains("@", await Sql.ScalarAsync<string>(cs, "SELECT decided_by FROM macro_decisions"));
            Assert.Empty(await MacroHealth.StaleAsync(db, Settings.Catalogue));

            (exit, var unknown) = await CopAsync(cs, home, "macro", "reject", "no_such_series", "--from", "2025-02-01", "--to", "2025-02-03");
            Assert.Equal(2, exit);
            Assert.Contains("'no_such_series' is not a macro variable of the catalogue", unknown);
            Assert.DoesNotContain("   at ", unknown);

            (exit, var date) = await CopAsync(cs, home, "macro", "reject", dxy.Column, "--from", "abc", "--to", "2025-02-03");
            Assert.Equal(2, exit);
            Assert.Contains("--from 'abc' is not a date (yyyy-MM-dd)", date);
            Assert.Equal(1L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM macro_decisions"));   // nothing recorded for refused commands
        }
        finally { Directory.Delete(home, true); }
    }
}
