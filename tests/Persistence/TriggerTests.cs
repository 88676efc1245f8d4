using System.Collections.Concurrent;
using System.Text.Json;
using Cop.Tests.Infrastructure;
using Npgsql;

namespace Cop.Tests.Persistence;

[Collection(PersistenceCollection.Name)]
public class TriggerTests
{
    [Fact]
    public async Task Bar_insert_notifies_new_ohlcv_bar_with_its_identity()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("trg");
        var payloads = await ListenWhile(cs, "new_ohlcv_bar", () => Sql.InsertBarsAsync(cs, 0, 1));

        var p = Assert.Single(payloads);
        Assert.True(p.Length < 8000);
        using var doc = JsonDocument.Parse(p);
        Assert.Equal("USD/COP", doc.RootElement.GetProperty("symbol").GetString());
        Assert.Equal(Sql.BarTime(0), DateTimeOffset.Parse(doc.RootElement.GetProperty("time").GetString()!).UtcDateTime);
        Assert.Equal(4000.5, doc.RootElement.GetProperty("close").GetDouble());
        Assert.True(doc.RootElement.TryGetProperty("inserted_at", out _));
    }

    [Fact]
    public async Task Feature_insert_notifies_new_features_and_an_upsert_does_not_notify_again()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("trgf");
        const string insert = """
            INSERT INTO inference_features_5m (symbol, time, log_ret_5m, rsi_9, time_normalized)
            VALUES ('USD/COP', @t, 0.001, 55, 0.5)
            ON CONFLICT (symbol, time) DO UPDATE SET rsi_9 = EXCLUDED.rsi_9
            """;
        var payloads = await ListenWhile(cs, "new_features", async () =>
        {
            await Sql.ExecAsync(cs, insert, ("t", Sql.BarTime(7)));
            await Sql.ExecAsync(cs, insert, ("t", Sql.BarTime(7)));
        });

        var p = Assert.Single(payloads);
        using var doc = JsonDocument.Parse(p);
        Assert.Equal("USD/COP", doc.RootElement.GetProperty("symbol").GetString());
        Assert.Equal(Sql.BarTime(7), DateTimeOffset.Parse(doc.RootElement.GetProperty("time").GetString()!).UtcDateTime);
        Assert.Equal("cop-features/1", doc.RootElement.GetProperty("builder_version").GetString());
        Assert.False(doc.RootElement.GetProperty("has_all_features").GetBoolean());
    }

    private static async Task<List<string>> ListenWhile(string cs, string channel, Func<Task> act)
    {
        var got = new ConcurrentQueue<string>();
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        conn.Notification += (_, n) => { if (n.Channel == channel) got.Enqueue(n.Payload); };
        await using (var listen = new NpgsqlCommand($"LISTEN {channel}", conn)) await listen.ExecuteNonQueryAsync();
        await act();
        // Drain: wait until a quiet second passes.
        while (await conn.WaitAsync(1000)) { }
        return got.ToList();
    }
}
