using Akka.Configuration;
using Cop.Host.Application;
using Cop.Trading;
using Cop.Trading.Learning;

namespace Cop.Tests.Host;

/// <summary>What `cop dataset build` reads of an experiment file, and the lines it refuses one with.</summary>
public class DatasetExperimentTests
{
    private static DatasetExperiment From(string text, string name = "t") =>
        DatasetExperiment.From(name, $"/x/{name}.conf", text, ConfigurationFactory.ParseString(text), InstrumentCatalogue.UsdCop);

    [Fact]
    public void The_shipped_default_experiment_is_found_by_name_and_fits_the_rules()
    {
        var e = DatasetExperiment.Load("default", InstrumentCatalogue.UsdCop);
        Assert.Equal(("default", "USD/COP", 1), (e.Name, e.Symbol, e.Plan.EmbargoDays));
        Assert.Equal(new SplitRange(DatasetSplit.Train, new(2020, 3, 2), new(2023, 6, 30)), e.Plan.Train);
        Assert.Equal(new SplitRange(DatasetSplit.Test, new(2024, 7, 3), new(2025, 6, 30)), e.Plan.Test);
        using var json = System.Text.Json.JsonDocument.Parse(e.ConfigJson);
        Assert.Equal("2023-07-05", json.RootElement.GetProperty("splits").GetProperty("validation").GetProperty("from").GetString());
        Assert.Contains("ppo {", json.RootElement.GetProperty("hocon").GetString());   // the whole file is recorded with the run
    }

    [Theory]
    [InlineData("experiment { dataset { embargo-days = 1 } }", "experiment.dataset.splits is missing")]
    [InlineData("other { }", "no 'experiment' section")]
    [InlineData("experiment { symbol = \"EUR/USD\", dataset.splits { } }", "experiment.symbol = 'EUR/USD' is not in cop.instruments")]
    [InlineData("experiment.dataset.splits { train { from = \"2020-01-02\", to = \"2020-03-31\" } }", "experiment.dataset.splits.validation is missing")]
    [InlineData("experiment.dataset.splits { train { from = \"2020-01-02\" } }", "experiment.dataset.splits.train.to is missing")]
    [InlineData("experiment.dataset { embargo-days = many\n splits { train { from = \"2020-01-02\", to = \"2020-03-31\" }\n validation { from = \"2020-04-03\", to = \"2020-05-15\" }\n test { from = \"2020-05-20\", to = \"2020-06-30\" } } }",
        "experiment.dataset.embargo-days = many is not a whole number of trading days")]
    public void A_broken_experiment_is_refused_naming_the_key(string text, string message) =>
        Assert.Contains(message, Assert.ThrowsAny<Exception>(() => From(text)).Message);

    [Fact]
    public void A_leaking_plan_names_the_experiment_and_the_splits()
    {
        var e = Assert.Throws<ArgumentException>(() => From("experiment.dataset.splits { train { from = \"2020-01-02\", to = \"2020-04-15\" }\n" +
            "validation { from = \"2020-04-03\", to = \"2020-05-15\" }\n test { from = \"2020-05-20\", to = \"2020-06-30\" } }", "leaky"));
        Assert.StartsWith("experiment leaky (/x/leaky.conf): splits train (2020-01-02..2020-04-15) and validation (2020-04-03..2020-05-15) overlap", e.Message);
    }

    [Fact]
    public void An_unknown_name_lists_the_shipped_experiments() =>
        Assert.Contains("experiment 'nosuch' not found: give a name in hocon/experiments/ (default)",
            Assert.Throws<FileNotFoundException>(() => DatasetExperiment.Load("nosuch", InstrumentCatalogue.UsdCop)).Message);
}
