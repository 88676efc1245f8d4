using Cop.Streams.Notifications;
using Npgsql;

namespace Cop.Persistence.Notifications;

/// <summary>Where a channel's rows are stored and how one is read back as an event. Table and
/// columns are constants, never input.</summary>
public sealed record RowTable<TEvent>(string Table, string SelectColumns, Func<NpgsqlDataReader, EventOrigin, TEvent> FromRow)
    where TEvent : IRowEvent;

public static class RowTables
{
    // The row's own commit time (its insert transaction's NOW()) rides along, so latencies measured
    // from it (sensor response, feature latency) cover rows read by catch-up and polling too; a
    // NOTIFY's trigger clock, when there is one, replaces it (RowSessions).
    public static readonly RowTable<BarInserted> Bars = new("usdcop_m5_ohlcv", "o.symbol, o.time, o.close, o.ingested_at",
        (r, origin) => new BarInserted(r.GetString(0), r.GetDateTime(1), r.GetDouble(2), r.GetDateTime(3), origin));

    public static readonly RowTable<FeaturesWritten> Features = new("inference_features_5m",
        $"o.symbol, o.time, o.builder_version, {Stores.FeatureColumns.AllPresentSql("o")}, o.updated_at",
        (r, origin) => new FeaturesWritten(r.GetString(0), r.GetDateTime(1), r.GetString(2), r.GetBoolean(3), r.GetDateTime(4), origin));

    /// <summary>The table behind a channel.</summary>
    public static RowTable<TEvent> For<TEvent>(RowChannel<TEvent> channel) where TEvent : IRowEvent => channel.Channel switch
    {
        NotifyChannel.NewOhlcvBar => (RowTable<TEvent>)(object)Bars,
        NotifyChannel.NewFeatures => (RowTable<TEvent>)(object)Features,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel.Name, "no row table behind this channel"),
    };
}
