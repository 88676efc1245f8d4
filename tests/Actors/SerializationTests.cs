using Akka.Actor;
using Akka.Configuration;
using Cop.Actors.Features;
using Cop.Actors.Models;
using Cop.Trading.Decisions;
using Cop.Actors.Serialization;
using Cop.Trading.Tests;
using Cop.Trading.Features;

namespace Cop.Tests.Actors;

/// <summary>Every journaled or snapshotted message binds to CopSerializer and round-trips
/// (a type that silently fell back to another serializer would break stored journals).</summary>
public class SerializationTests : Akka.TestKit.Xunit2.TestKit
{
    public SerializationTests() : base(Infrastructure.CopTestKit.Setup()) { }

    private ActorSystem _system => Sys;

    public static TheoryData<string> PersistedTypes()
    {
        var data = new TheoryData<string>();
        foreach (var t in typeof(ICopPersisted).Assembly.GetTypes().Where(t => typeof(ICopPersisted).IsAssignableFrom(t) && !t.IsInterface))
            data.Add(t.FullName!);
        return data;
    }

    private static object Sample(Type t)
    {
        var builder = new FeatureBuilder("USD/COP", MacroFeatures.Empty);
        foreach (var b in ReferenceIndicators.RandomBars(60)) builder.Next(b);
        if (t == typeof(BarSeries.BarsApplied)) return new BarSeries.BarsApplied(DateTime.UtcNow.AddHours(-1), DateTime.UtcNow, 12);
        if (t == typeof(BarSeries.IndicatorSnapshot)) return new BarSeries.IndicatorSnapshot(builder.Price.Save());
        var bar = new DateTime(2024, 7, 2, 13, 5, 0, DateTimeKind.Utc);
        var fill = new PaperFill(bar, 7, 0, 1, 4000, 4000.8, 0.8);
        if (t == typeof(DeployedModel.Decided))
            return new DeployedModel.Decided("USD/COP", bar, 7, TradeAction.Long, 0.61, RiskVerdict.Approved, new string('a', 64), 4000, fill, 9999.2, 1.25);
        if (t == typeof(DeployedModel.AccountSnapshot))
            return new DeployedModel.AccountSnapshot(PaperAccount.Empty.MarkToMarket(4000, new DateOnly(2024, 7, 2)).Apply(fill), bar, 7, "USD/COP");
        if (t == typeof(DeployedModel.Skipped))
            return new DeployedModel.Skipped("USD/COP", bar, "ops-ana", bar.AddHours(2), "bad feed print");
        throw new InvalidOperationException($"add a sample for {t} to SerializationTests");
    }

    [Theory, MemberData(nameof(PersistedTypes))]
    public void Binds_to_the_Cop_serializer_and_round_trips(string typeName)
    {
        var type = typeof(ICopPersisted).Assembly.GetType(typeName)!;
        var value = Sample(type);
        var serializer = _system.Serialization.FindSerializerFor(value);
        Assert.IsType<CopSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, value);
        var back = _system.Serialization.Deserialize(serializer.ToBinary(value), serializer.Identifier, manifest);
        if (value is BarSeries.IndicatorSnapshot s)
        {
            var r = Assert.IsType<BarSeries.IndicatorSnapshot>(back);
            Assert.Equal(s.Price.Closes, r.Price.Closes);
            Assert.Equal(s.Price with { Closes = [] }, r.Price with { Closes = [] });
        }
        else Assert.Equal(value, back);
    }

    [Fact]
    public void A_model_snapshot_stored_before_it_named_its_symbol_still_reads()
    {
        var serializer = (CopSerializer)_system.Serialization.FindSerializerForType(typeof(DeployedModel.AccountSnapshot));
        var json = System.Text.Json.Nodes.JsonNode.Parse(serializer.ToBinary(Sample(typeof(DeployedModel.AccountSnapshot))))!.AsObject();
        json.Remove("Symbol");
        var old = Assert.IsType<DeployedModel.AccountSnapshot>(serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), "model-account-snapshot.v1"));
        Assert.Null(old.Symbol);
        Assert.Equal(7, old.BarIndex);
    }

    [Fact]
    public void An_unknown_manifest_is_refused_by_name()
    {
        var serializer = (CopSerializer)_system.Serialization.FindSerializerForType(typeof(BarSeries.BarsApplied));
        var e = Assert.ThrowsAny<Exception>(() => serializer.FromBinary([], "nope.v9"));
        Assert.Contains("nope.v9", e.Message);
    }

}
