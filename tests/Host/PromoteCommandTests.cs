using System.Diagnostics;
using Cop.Tests.Infrastructure;
using Cop.Tests.Web;

namespace Cop.Tests.Host;

/// <summary>`cop users` and `cop promote` as a script runs them: the built cop on a real database,
/// through the same PromotionService as the API (roles, four eyes, the deploy).</summary>
[Collection(HostCollection.Name)]
public sealed class PromoteCommandTests
{
    private static async Task<(int Exit, string Output)> CopAsync(string cs, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "cop.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
            Environment = { ["COP_DATABASE_URL"] = cs },
        };
        using var p = Process.Start(start)!;
        if (stdin is not null) await p.StandardInput.WriteLineAsync(stdin);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await output + await error);
    }

    [Fact]
    public async Task Users_and_the_promotion_flow_from_the_command_line()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("promotecli");
        const string password = "correct horse battery";
        foreach (var (email, role) in new[] { ("Ana@Cop.test", "reviewer"), ("bo@cop.test", "reviewer"), ("vic@cop.test", "viewer") })
        {
            var (exit, output) = await CopAsync(cs, password, "users", "add", email, "--role", role);
            Assert.True(exit == 0, output);
        }
        // Stored as a salted hash (Identity V3: PBKDF2), never the password; two users with one password get different hashes.
        var hashes = await Sql.ScalarAsync<string>(cs, "SELECT string_agg(password_hash, ' ' ORDER BY email) FROM cop_users");
        Assert.DoesNotContain(password, hashes);
        Assert.Equal(3, hashes.Split(' ').Distinct().Count());
        Assert.All(hashes.Split(' '), h => Assert.StartsWith("AQAAAA", h));
        Assert.Equal("ana@cop.test", await Sql.ScalarAsync<string>(cs, "SELECT email FROM cop_users WHERE role = 'reviewer' ORDER BY email LIMIT 1"));

        var bad = await CopAsync(cs, password, "users", "add", "x@cop.test", "--role", "god");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("role 'god' is not one of viewer, reviewer, admin", bad.Output);
        var shortPassword = await CopAsync(cs, "short", "users", "add", "x@cop.test", "--role", "viewer");
        Assert.Equal(2, shortPassword.Exit);
        Assert.Contains("at least 10 characters", shortPassword.Output);
        Assert.Equal(3L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM cop_users"));

        await PromotionFixture.RegisterAsync(cs, "cli_model");
        var backtest = (await PromotionFixture.BacktestAsync(cs, "cli_model", 0.7, 0.5, -0.05, 80)).ToString();
        var viewer = await CopAsync(cs, null, "promote", "request", "cli_model", "--backtest", backtest, "--stage", "staging", "--as", "vic@cop.test");
        Assert.Equal(2, viewer.Exit);
        Assert.Contains("is a viewer", viewer.Output);
        var unknown = await CopAsync(cs, null, "promote", "request", "no_model", "--backtest", backtest, "--stage", "staging", "--as", "ana@cop.test");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("modelId: unknown model 'no_model'", unknown.Output);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM promotion_requests"));

        var request = await CopAsync(cs, null, "promote", "request", "cli_model", "--backtest", backtest, "--stage", "staging", "--as", "ana@cop.test");
        Assert.True(request.Exit == 0, request.Output);
        Assert.Contains("automatic vote: passed", request.Output);
        var id = (await Sql.ScalarAsync<Guid>(cs, "SELECT request_uuid FROM promotion_requests")).ToString();
        string[] checklist = ["--equity-curve-reviewed", "--trade-distribution-reviewed", "--team-notified"];
        var own = await CopAsync(cs, null, ["promote", "vote", id, "approve", .. checklist, "--as", "ana@cop.test"]);
        Assert.Equal(2, own.Exit);
        Assert.Contains("four eyes", own.Output);
        var missing = await CopAsync(cs, null, "promote", "vote", id, "approve", "--equity-curve-reviewed", "--as", "bo@cop.test");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("tradeDistributionReviewed", missing.Output);
        var vote = await CopAsync(cs, null, ["promote", "vote", id, "approve", .. checklist, "--comment", "from a script", "--as", "bo@cop.test"]);
        Assert.True(vote.Exit == 0, vote.Output);
        Assert.Contains("final decision: promoted", vote.Output);
        Assert.Contains("deployed: cli_model registered -> staging", vote.Output);
        Assert.Equal("staging", await Sql.ScalarAsync<string>(cs, "SELECT status FROM model_registry WHERE model_id = 'cli_model'"));
        var status = await CopAsync(cs, null, "promote", "status");
        Assert.Equal(0, status.Exit);
        Assert.Contains(id, status.Output);
        Assert.Contains("promoted", status.Output);
    }
}
