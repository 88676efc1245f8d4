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
        // The marked types, and the domain's events, which are journaled without the marker.
        foreach (var t in typeof(ICopPersisted).Assembly.GetTypes().Where(t => typeof(ICopPersisted).IsAssignableFrom(t) && !t.IsInterface)
                     .Union(CopSerializer.Manifests.Values))
            data.Add(t.AssemblyQualifiedName!);
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
        if (t == typeof(ModelDecided))
            return new ModelDecided("USD/COP", bar, 7, TradeAction.Long, 0.61, RiskVerdict.Approved, new string('a', 64), 4000, fill, 9999.2, 1.25);
        if (t == typeof(DeployedModel.AccountSnapshot))
            return new DeployedModel.AccountSnapshot(PaperAccount.Empty.MarkToMarket(4000, new DateOnly(2024, 7, 2)).Apply(fill), bar, 7, "USD/COP");
        if (t == typeof(BarSkipped))
            return new BarSkipped("USD/COP", bar, "ops-ana", bar.AddHours(2), "bad feed print");
        throw new InvalidOperationException($"add a sample for {t} to SerializationTests");
    }

    [Theory, MemberData(nameof(PersistedTypes))]
    public void Binds_to_the_Cop_serializer_and_round_trips(string typeName)
    {
        var type = Type.GetType(typeName, throwOnError: true)!;
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

    /// <summary>Journals written when these events were DeployedModel.Decided and DeployedModel.Skipped
    /// (the JSON as it was stored) replay into the domain's events.</summary>
    [Fact]
    public void Model_events_stored_before_they_moved_to_the_domain_still_read()
    {
        var serializer = (CopSerializer)_system.Serialization.FindSerializerForType(typeof(ModelDecided));
        var bar = new DateTime(2024, 7, 2, 13, 5, 0, DateTimeKind.Utc);
        const string decided = """
            {"Symbol":"USD/COP","BarTime":"2024-07-02T13:05:00Z","BarIndex":7,"Action":1,"Confidence":0.61,"Verdict":0,
             "ObservationHash":"ab","Close":4000,"Fill":{"BarTime":"2024-07-02T13:05:00Z","BarIndex":7,"From":0,"To":1,
             "MidPrice":4000,"Price":4000.8,"Cost":0.8},"EquityAfter":9999.2,"LatencyMs":1.25}
            """;
        Assert.Equal(new ModelDecided("USD/COP", bar, 7, TradeAction.Long, 0.61, RiskVerdict.Approved, "ab", 4000,
                new PaperFill(bar, 7, 0, 1, 4000, 4000.8, 0.8), 9999.2, 1.25),
            serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(decided), "model-decided.v1"));
        const string skipped = """{"Symbol":"USD/COP","BarTime":"2024-07-02T13:05:00Z","SkippedBy":"ops-ana","SkippedAt":"2024-07-02T15:05:00Z","Reason":"bad feed print"}""";
        Assert.Equal(new BarSkipped("USD/COP", bar, "ops-ana", bar.AddHours(2), "bad feed print"),
            serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(skipped), "model-bar-skipped.v1"));
        Assert.Equal("model-decided.v1", serializer.Manifest(Sample(typeof(ModelDecided))));
        Assert.Equal("model-bar-skipped.v1", serializer.Manifest(Sample(typeof(BarSkipped))));
    }

    [Fact]
    public void An_unknown_manifest_is_refused_by_name()
    {
        var serializer = (CopSerializer)_system.Serialization.FindSerializerForType(typeof(BarSeries.BarsApplied));
        var e = Assert.ThrowsAny<Exception>(() => serializer.FromBinary([], "nope.v9"));
        Assert.Contains("nope.v9", e.Message);
    }

}
