using Cop.Actors.Models;
using Cop.Host.Application;
using Cop.Persistence.Stores;
using Cop.Streams.Backtests;
using Cop.Streams.Ingestion;
using Cop.Tests.Infrastructure;
using Cop.Trading;
using Cop.Trading.Decisions;
using Cop.Trading.Features;
using Npgsql;

namespace Cop.Tests.Streams;

/// <summary>
/// No look-ahead in a backtest: on real bars and macro values, every bar after a cut and every macro
/// value published after the cut bar's close is changed, and the decisions up to the cut (action,
/// verdict, observation, confidence, fill, equity) stay exactly the same, while later ones change (so
/// the change mattered). Every fill is at its own bar's close plus or minus the live costs.
/// </summary>
[Collection(StreamsCollection.Name)]
public class BacktestLookAheadTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "data");
    private const string Symbol = "USD/COP";

    [Fact]
    public async Task Decisions_up_to_a_bar_do_not_change_when_later_bars_or_later_macro_values_do()
    {
        var settings = ShippedConfig.Settings();
        var cs = await SharedPostgres.NewDatabaseAsync("btlookahead");
        await using var db = NpgsqlDataSource.Create(cs);
        await new MacroSeeder(new MacroStore(db), settings.Macro).SeedFilesAsync([Path.Combine(Fixtures, "macro_indicators_daily_2019_2020.csv.gz")]);
        await using (var barStore = new BarStore(cs))
            await new BarIngester(barStore, new QuarantineStore(db), settings.Validation, "test").IngestFileAsync(Path.Combine(Fixtures, "usdcop_m5_2020h1.csv.gz"), DateTime.UtcNow, maxDays: 40);
        IReadOnlyList<Bar> bars;
        IReadOnlyDictionary<string, IEnumerable<MacroObservation>> macro;
        await using (var store = new FeatureStore(cs))
        {
            bars = await store.LoadBarsAsync(Symbol, null, DateTime.MaxValue, int.MaxValue);
            macro = (await store.LoadMacroAsync()).ToDictionary(kv => kv.Key, kv => (IEnumerable<MacroObservation>)kv.Value.ToList());
        }
        var modelFile = Path.Combine(Path.GetTempPath(), $"cop-lookahead-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(modelFile, BaselinePolicy.OnnxBytes());
        using var policy = PolicySession.Load(modelFile, null);
        var rules = new DecisionRules(settings.Trading.Models.Risk, settings.Trading.Models.Costs, settings.Trading.Models.MaxMacroAge);

        List<ModelDecided> Decide(IReadOnlyList<Bar> series, IReadOnlyDictionary<string, IEnumerable<MacroObservation>> values)
        {
            var loop = new BacktestLoop(policy, BaselinePolicy.NormStats, rules, Symbol);
            return [.. Backtester.Rebuild(Symbol, series, new MacroFeatures(values), series[0].Time, DateTime.MaxValue).Select(loop.Step)];
        }

        var original = Decide(bars, macro);
        Assert.Equal(bars.Count, original.Count);
        var fills = original.Where(d => d.Fill is not null).ToList();
        Assert.True(fills.Count >= 10, $"{fills.Count} fills");
        var cost = (rules.Costs.SpreadBps / 2 + rules.Costs.SlippageBps) / 10_000;
        foreach (var d in fills)
        {
            var bar = bars.Single(b => b.Time == d.BarTime);
            Assert.Equal(bar.Close, d.Fill!.MidPrice);
            Assert.Equal(bar.Close * (1 + Math.Sign(d.Fill.To - d.Fill.From) * cost), d.Fill.Price);
        }

        // Cuts spread over the run, and the bar before each of a few fills (the fill's own bar is after the cut).
        var cuts = new[] { bars.Count / 5, bars.Count / 2, bars.Count * 4 / 5 }
            .Concat(fills.Take(3).Select(f => original.IndexOf(f) - 1)).Where(k => k > 0 && k < bars.Count - 50).Distinct();
        foreach (var k in cuts)
        {
            var close = bars[k].Time + TradingSession.BarLength;   // what is known at bar k's close
            var later = bars.Select((b, j) => j <= k ? b : Perturb(b, j)).ToList();
            var laterMacro = macro.ToDictionary(kv => kv.Key, kv => (IEnumerable<MacroObservation>)kv.Value
                .Select(o => o.AvailableAt > close ? o with { Value = o.Value * 1.5 + 1 } : o).ToList());
            Assert.True(laterMacro.Values.SelectMany(v => v).Zip(macro.Values.SelectMany(v => v), (a, b) => a != b).Any(d => d), $"cut {k}: no macro value after it");

            foreach (var (name, changed) in new[] { ("later bars", Decide(later, macro)), ("later macro values", Decide(bars, laterMacro)) })
            {
                for (var i = 0; i <= k; i++)
                    Assert.True(Same(original[i], changed[i]), $"cut {k} ({bars[k].Time:O}), {name}: decision {i} ({bars[i].Time:O}) changed: {original[i]} -> {changed[i]}");
                Assert.True(Enumerable.Range(k + 1, bars.Count - k - 1).Any(i => !Same(original[i], changed[i])), $"cut {k}, {name}: nothing after the cut changed");
            }
        }
    }

    /// <summary>A later bar moved by up to 3% (its shape kept).</summary>
    private static Bar Perturb(Bar b, int j)
    {
        var f = 1 + 0.03 * Math.Sin(j * 0.7);
        return b with { Open = b.Open * f, High = b.High * f, Low = b.Low * f, Close = b.Close * f };
    }

    private static bool Same(ModelDecided a, ModelDecided b) => (a with { LatencyMs = 0 }) == (b with { LatencyMs = 0 });
}
