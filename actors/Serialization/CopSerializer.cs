using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Cop.Actors.Serialization;

/// <summary>Marks messages that are written to a journal or snapshot store (or cross the
/// network): they bind to <see cref="CopSerializer"/>, never to a default serializer.</summary>
public interface ICopPersisted;

/// <summary>
/// JSON for journals and snapshots, with a stable manifest per type (renaming a CLR type must not
/// orphan stored events). Each persisted type is listed here once; a test checks every
/// <see cref="ICopPersisted"/> type, and every type listed here, binds to this serializer and
/// round-trips. The domain's events (Cop.Trading references nothing, not even this marker) are
/// bound by name in <see cref="Hocon"/>.
/// </summary>
public sealed class CopSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 4711;

    public static readonly IReadOnlyDictionary<string, Type> Manifests = new Dictionary<string, Type>
    {
        ["bars-applied.v1"] = typeof(Features.BarSeries.BarsApplied),
        ["bar-series-snapshot.v1"] = typeof(Features.BarSeries.IndicatorSnapshot),
        ["model-decided.v1"] = typeof(Cop.Trading.Decisions.ModelDecided),
        ["model-account-snapshot.v1"] = typeof(Models.DeployedModel.AccountSnapshot),
        ["model-bar-skipped.v1"] = typeof(Cop.Trading.Decisions.BarSkipped),
    };

    private static readonly Dictionary<Type, string> ByType = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);
    private static readonly JsonSerializerOptions Json = new() { IncludeFields = false };

    public override int Identifier => Id;

    public override string Manifest(object o) => ByType.TryGetValue(o.GetType(), out var m) ? m
        : throw new ArgumentException($"{o.GetType()} has no manifest in CopSerializer.Manifests");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Manifests.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"empty {manifest}")
            : throw new SerializationException($"unknown manifest '{manifest}': stored by a newer Cop?");

    /// <summary>The binding of every <see cref="ICopPersisted"/> message, and of the domain's journaled
    /// events (Cop.Trading cannot see the marker), to this serializer, as an actor-system setup (what
    /// AddCop and the TestKit systems both use).</summary>
    public static SerializationSetup Setup() => SerializationSetup.Create(system =>
        [SerializerDetails.Create("cop", new CopSerializer(system),
            [typeof(ICopPersisted), typeof(Cop.Trading.Decisions.ModelDecided), typeof(Cop.Trading.Decisions.BarSkipped)])]);

}
