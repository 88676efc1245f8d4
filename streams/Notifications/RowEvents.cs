using System.Text.Json;

namespace Cop.Streams.Notifications;

/// <summary>How an event reached the stream: a live NOTIFY, a catch-up read after a
/// (re)connect or on the slow timer, or a poll while the LISTEN circuit is open.</summary>
public enum EventOrigin { Notify, CatchUp, Poll }

/// <summary>A committed row announced by a trigger, identified by its natural key.</summary>
public interface IRowEvent
{
    string Symbol { get; }
    DateTime Time { get; }
    /// <summary>When the trigger fired (server clock); null for rows read back from tables.</summary>
    DateTime? InsertedAt { get; }
    EventOrigin Origin { get; }
}

public sealed record BarInserted(string Symbol, DateTime Time, double Close, DateTime? InsertedAt, EventOrigin Origin) : IRowEvent;

public sealed record FeaturesWritten(string Symbol, DateTime Time, string BuilderVersion, bool HasAllFeatures,
    DateTime? InsertedAt, EventOrigin Origin) : IRowEvent;

/// <summary>A payload that could not be read; it goes to quarantine with this reason.</summary>
public sealed class MalformedPayloadException(string reason) : Exception(reason);

/// <summary>reason_code of the NOTIFY payloads that are quarantined.</summary>
public static class NotifyQuarantine
{
    public const string Malformed = "malformed_payload";
    /// <summary>The payload names a symbol outside cop.instruments.</summary>
    public const string UnknownSymbol = "unknown_symbol";
    /// <summary>The payload names a (symbol, time) that is not a committed row: a forged NOTIFY.</summary>
    public const string NoSuchRow = "no_such_row";
}

/// <summary>A NOTIFY channel whose payloads announce committed rows: how to read a payload. A
/// payload is only a claim that a row exists: events are always the rows read back (persistence's
/// row tables say how).</summary>
public sealed record RowChannel<TEvent>(
    NotifyChannel Channel,
    Func<JsonElement, TEvent> FromPayload,
    Func<TEvent, DateTime?, TEvent> WithInsertedAt) where TEvent : IRowEvent
{
    public string Name => Channels.Name(Channel);
}

public static class RowChannels
{
    public static readonly RowChannel<BarInserted> Bars = new(
        NotifyChannel.NewOhlcvBar,
        p => new BarInserted(
            RequiredString(p, "symbol"), RequiredTime(p, "time"), RequiredDouble(p, "close"),
            OptionalTime(p, "inserted_at"), EventOrigin.Notify),
        (e, at) => e with { InsertedAt = at });

    public static readonly RowChannel<FeaturesWritten> Features = new(
        NotifyChannel.NewFeatures,
        p => new FeaturesWritten(
            RequiredString(p, "symbol"), RequiredTime(p, "time"), RequiredString(p, "builder_version"),
            p.TryGetProperty("has_all_features", out var h) && h.ValueKind == JsonValueKind.True,
            OptionalTime(p, "inserted_at"), EventOrigin.Notify),
        (e, at) => e with { InsertedAt = at });

    /// <summary>Reads a payload; any defect becomes a <see cref="MalformedPayloadException"/>
    /// naming the field.</summary>
    public static TEvent Parse<TEvent>(RowChannel<TEvent> channel, string payload) where TEvent : IRowEvent
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(payload); }
        catch (JsonException e) { throw new MalformedPayloadException($"payload is not JSON: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new MalformedPayloadException($"payload is a JSON {doc.RootElement.ValueKind}, not an object");
            return channel.FromPayload(doc.RootElement);
        }
    }

    private static string RequiredString(JsonElement p, string name) =>
        p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s : throw new MalformedPayloadException($"field '{name}' is missing or not a non-empty string");

    private static double RequiredDouble(JsonElement p, string name) =>
        p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d)
            ? d : throw new MalformedPayloadException($"field '{name}' is missing or not a finite number");

    private static DateTime RequiredTime(JsonElement p, string name) =>
        OptionalTime(p, name) ?? throw new MalformedPayloadException($"field '{name}' is missing");

    private static DateTime? OptionalTime(JsonElement p, string name)
    {
        if (!p.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(),
                System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t))
            return t.UtcDateTime;
        throw new MalformedPayloadException($"field '{name}' is not an ISO-8601 timestamp");
    }
}
