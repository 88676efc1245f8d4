using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cop.Actors.Models;
using Cop.Tests.Infrastructure;

namespace Cop.Tests.Host.Operations;

/// <summary>Listing commands as a script reads them: `cop` with stdout redirected (a pipe), with
/// and without --json and COLUMNS. A date, an id or a number never breaks across lines.</summary>
[Collection(HostCollection.Name)]
public class CliOutputTests
{
    private const string LongEvent = "decide_bar:baseline_linear_v1:USD/COP:2024-01-02T13:00:00.0000000Z:with-a-long-tail-to-wrap";

    [Fact]
    public async Task Listings_are_json_with_json_tab_separated_through_a_pipe_and_tables_that_never_split_a_value()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("cliout");
        var home = Directory.CreateTempSubdirectory("cop-cli-").FullName;
        try
        {
            Assert.Equal(0, (await CopAsync(cs, home, null, "models", "baseline")).Exit);
            await Sql.ExecAsync(cs, """
                INSERT INTO system.dead_letter_queue (event_id, event_type, event_timestamp, payload, error_message, status, retry_count, next_retry_at)
                VALUES (@e, 'decide_bar', '2024-01-02T13:00:00Z', '{}', 'model restarting: a long error message that a terminal would wrap', 'PENDING', 1, '2024-01-02T13:05:00Z')
                """, ("e", LongEvent));

            var (exit, stdout) = await CopAsync(cs, home, null, "models", "list", "--json");
            Assert.True(exit == 0, stdout);
            using (var models = JsonDocument.Parse(stdout))
            {
                var m = Assert.Single(models.RootElement.EnumerateArray());
                Assert.Equal(BaselinePolicy.ModelId, m.GetProperty("model").GetString());
                Assert.Equal(JsonValueKind.False, m.GetProperty("kill_switch").ValueKind);
                Assert.Equal(64, m.GetProperty("sha256").GetString()!.Length);
            }

            // Through a pipe: a header and one tab-separated line per row, every value whole.
            (exit, stdout) = await CopAsync(cs, home, null, "dlq", "list");
            Assert.True(exit == 0, stdout);
            var lines = stdout.TrimEnd('\n').Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.Equal("id\tevent\tevent type\tbar\tstatus\tretries\tmax retries\tnext retry\tcreated\terror", lines[0]);
            var fields = lines[1].Split('\t');
            Assert.Equal(10, fields.Length);
            Assert.Equal(LongEvent, fields[1]);
            Assert.Equal("2024-01-02 13:00:00", fields[3]);
            Assert.Equal("2024-01-02 13:05:00", fields[7]);

            (exit, stdout) = await CopAsync(cs, home, null, "dlq", "list", "--json");
            using (var dlq = JsonDocument.Parse(stdout))
            {
                var l = Assert.Single(dlq.RootElement.EnumerateArray());
                Assert.Equal(JsonValueKind.Number, l.GetProperty("id").ValueKind);
                Assert.Equal("2024-01-02T13:00:00.0000000Z", l.GetProperty("bar").GetString());
                Assert.Equal(LongEvent, l.GetProperty("event").GetString());
            }

            (exit, stdout) = await CopAsync(cs, home, null, "macro", "status", "--json");
            Assert.True(exit == 0, stdout);
            using (var macro = JsonDocument.Parse(stdout)) Assert.Equal(37, macro.RootElement.GetArrayLength());

            // COLUMNS known (a terminal's width given to a pipe): a table that fits it, ids and dates whole,
            // the free-text error wrapping in its own column ...
            (exit, stdout) = await CopAsync(cs, home, "260", "dlq", "list");
            Assert.True(exit == 0, stdout);
            Assert.All(stdout.Split('\n'), l => Assert.True(l.Length <= 260, $"{l.Length} columns: {l}"));
            Assert.Contains("│ 1 ", stdout);
            Assert.Contains(LongEvent, stdout);
            Assert.Equal(2, Regex.Matches(stdout, @"2024-01-02 13:0[05]:00").Count);
            // ... and too narrow for whole values: rows as lines, not a table that splits them.
            (exit, stdout) = await CopAsync(cs, home, "80", "dlq", "list");
            Assert.Equal(LongEvent, stdout.TrimEnd('\n').Split('\n')[1].Split('\t')[1]);
            var status = (await CopAsync(cs, home, "200", "macro", "status")).Stdout;
            Assert.All(status.Split('\n'), l => Assert.True(l.Length <= 200, $"{l.Length} columns: {l}"));
            Assert.Contains("fxrt_index_dxy_usa_d_dxy", status);   // the longest ids stay on one line
        }
        finally { Directory.Delete(home, true); }
    }

    /// <summary>Runs the built cop with stdout redirected; stdout alone (logs go to stderr).</summary>
    private static async Task<(int Exit, string Stdout)> CopAsync(string cs, string home, string? columns, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "cop.dll"), .. args])
        {
            WorkingDirectory = home, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["COP_DATABASE_URL"] = cs;
        start.Environment.Remove("COLUMNS");
        if (columns is not null) start.Environment["COLUMNS"] = columns;
        using var cop = Process.Start(start)!;
        var stdout = cop.StandardOutput.ReadToEndAsync();
        var stderr = cop.StandardError.ReadToEndAsync();
        await cop.WaitForExitAsync();
        var text = await stdout;
        return (cop.ExitCode, cop.ExitCode == 0 ? text : text + await stderr);
    }
}
