using System.Text.Json;
using Cop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cop.Tests.Host.Operations;

/// <summary>COP_LOG_FORMAT=json: `cop run` writes one JSON object per line, and one bar can be
/// followed from its INSERT to its decision by its Symbol and BarTime properties.</summary>
[Collection(HostCollection.Name)]
public class JsonLogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Json_lines_carry_each_bars_symbol_and_time_from_event_to_decision()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("jsonlog");
        await using var cop = await RunningCop.StartAsync(cs, new Dictionary<string, string> { ["COP_LOG_FORMAT"] = "json", ["COP_LOG_LEVEL"] = "debug" });
        await Sql.InsertBarsAsync(cs, 0, 3);
        await Eventually.Read(() => Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM trading.model_inferences"), n => n == 3, TimeSpan.FromSeconds(60), "3 decisions");
        var bar = Sql.BarTime(1).ToString("O");
        var lines = await Eventually.Read(() => Task.FromResult(BarLines(cop.Log, bar)), l => l.Any(m => m.Contains("decided")),
            TimeSpan.FromSeconds(10), $"the decision line of {bar}");
        foreach (var l in lines) output.WriteLine(l);
        Assert.Contains(lines, m => m.Contains("new_ohlcv_bar event"));
        Assert.Contains(lines, m => m.Contains("features committed"));
        Assert.Contains(lines, m => m.Contains("new_features event"));
        Assert.Contains(lines, m => m.Contains("decided: baseline_linear_v1"));
    }

    /// <summary>Every line is a JSON object (nothing else on the stream); the rendered messages of those about one bar.</summary>
    private static List<string> BarLines(string log, string barTime)
    {
        var found = new List<string>();
        foreach (var line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var doc = JsonDocument.Parse(line);   // throws on a line that is not JSON
            var root = doc.RootElement;
            Assert.True(root.TryGetProperty("Timestamp", out _) && root.TryGetProperty("Level", out _), line);
            if (root.TryGetProperty("Properties", out var p) && p.TryGetProperty("BarTime", out var t) && t.GetString() == barTime
                && p.GetProperty("Symbol").GetString() == "USD/COP")
                found.Add(root.GetProperty("RenderedMessage").GetString()!);
        }
        return found;
    }
}
