using Akka.Configuration;
using Cop.Host.Configuration;
using Cop.Tests.Infrastructure;
using Cop.Trading.Macro;

namespace Cop.Tests.Host;

/// <summary>The macro catalogue as shipped in cop.conf and read by CopSettings (the pure rules
/// are in Cop.Trading.Tests' MacroRulesTests).</summary>
public class MacroCatalogueTests
{
    [Fact]
    public void The_shipped_catalogue_has_every_column_of_the_macro_tables()
    {
        var macro = ShippedConfig.Settings().Macro;
        Assert.Equal(37, macro.Catalogue.Count);
        Assert.Equal(17, macro.Catalogue.Count(v => v.Frequency == MacroFrequency.Daily));
        Assert.Equal(16, macro.Catalogue.Count(v => v.Frequency == MacroFrequency.Monthly));
        Assert.Equal(4, macro.Catalogue.Count(v => v.Frequency == MacroFrequency.Quarterly));
        Assert.Equal(1, macro["fxrt_index_dxy_usa_d_dxy"].DelayDays);
    }

    [Theory]
    [InlineData("frequency = weekly", "frequency 'weekly'")]
    [InlineData("min = 200", "min/max")]
    [InlineData("max-jump = 0", "max-jump")]
    [InlineData("delay-days = -1", "delay-days")]
    [InlineData("max-gap-days = abc", "max-gap-days")]
    [InlineData("series = \"\"", "series is missing")]
    [InlineData("kind = stock", "kind 'stock'")]
    [InlineData("kind = \"\"", "kind is missing")]
    [InlineData("jump-growth-days = 0", "jump-growth-days")]
    public void A_broken_entry_names_the_entry_and_the_field(string line, string expected)
    {
        var broken = ConfigurationFactory.ParseString($"cop.macro.variables.volt_vix_usa_d_vix {{ {line} }}").WithFallback(ShippedConfig.Hocon());
        var e = Assert.Throws<ConfigurationException>(() => CopSettings.ReadMacro(broken));
        Assert.Contains("volt_vix_usa_d_vix", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
