using Cop.Persistence.Schema;
using Cop.Persistence.Servers;
using Npgsql;

namespace Cop.Tests.Infrastructure;

/// <summary>
/// The shared PostgreSQL cluster's test-facing calls. Static because shared helpers (a market's
/// set-up, a journaled system) have no test instance; the cluster itself is started and stopped by
/// xUnit through <see cref="PostgresFixture"/>, which a test class asks for by its collection.
/// </summary>
public static class SharedPostgres
{
    private static int _counter;

    public static Task<EmbeddedPostgres> GetAsync() => Task.FromResult(PostgresFixture.Cluster);

    /// <summary>A new empty database on the shared cluster, migrated unless told otherwise.</summary>
    public static async Task<string> NewDatabaseAsync(string prefix, bool migrate = true)
    {
        var pg = await GetAsync();
        var name = $"{prefix}_{Interlocked.Increment(ref _counter)}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 20)].ToLowerInvariant();
        var cs = await pg.CreateDatabaseAsync(name);
        if (migrate) DatabaseMigrator.Apply(cs);
        return cs;
    }
}

public static class Sql
{
    public static async Task<T> ScalarAsync<T>(string cs, string sql, params (string, object)[] args)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task<int> ExecAsync(string cs, string sql, params (string, object)[] args)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return await cmd.ExecuteNonQueryAsync();
    }

    public static readonly DateTime Epoch = new(2024, 1, 2, 13, 0, 0, DateTimeKind.Utc);

    /// <summary>Inserts bars i = from..to-1 at Epoch + 5 min * i, one statement.</summary>
    public static Task<int> InsertBarsAsync(string cs, int from, int to, string symbol = "USD/COP") =>
        ExecAsync(cs, """
            INSERT INTO usdcop_m5_ohlcv (symbol, time, open, high, low, close, source)
            SELECT @s, @epoch + make_interval(mins => 5 * i), 4000 + i * 0.01, 4001 + i * 0.01, 3999 + i * 0.01, 4000.5 + i * 0.01, 'test'
              FROM generate_series(@from, @to - 1) AS i
            """, ("s", symbol), ("epoch", Epoch), ("from", from), ("to", to));

    public static DateTime BarTime(int i) => Epoch.AddMinutes(5 * i);

    /// <summary>Inserts the given bars of one symbol (source 'test'), a thousand per statement.</summary>
    public static async Task InsertBarsAsync(string cs, IEnumerable<Cop.Trading.Bar> bars, string symbol = "USD/COP")
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        foreach (var chunk in bars.Chunk(1000))
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO usdcop_m5_ohlcv (symbol, time, open, high, low, close, source)
                SELECT @s, u.*, 'test' FROM unnest(@t, @o, @h, @l, @c) AS u
                """, conn);
            cmd.Parameters.AddWithValue("s", symbol);
            cmd.Parameters.AddWithValue("t", chunk.Select(b => b.Time).ToArray());
            cmd.Parameters.AddWithValue("o", chunk.Select(b => b.Open).ToArray());
            cmd.Parameters.AddWithValue("h", chunk.Select(b => b.High).ToArray());
            cmd.Parameters.AddWithValue("l", chunk.Select(b => b.Low).ToArray());
            cmd.Parameters.AddWithValue("c", chunk.Select(b => b.Close).ToArray());
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The production actor system (AddCop without its actor families: cop.conf, the
    /// serializer, the journal and snapshots in this test database), for tests that start their own
    /// actors on it. Disposing (terminating) the system stops its host.</summary>
    public static Akka.Actor.ActorSystem JournaledSystem(string cs, string name)
    {
        // Synchronous for the tests' `using var system = ...` blocks; start-up is async underneath.
        var app = Task.Run(() => Cop.Host.Composition.CopApplication.StartAsync(new Cop.Host.Composition.CopEnvironment
        {
            Settings = ShippedConfig.Settings(), ConnectionString = cs, ActorFamilies = false,
        }, name)).GetAwaiter().GetResult();
        app.System.WhenTerminated.ContinueWith(_ => app.DisposeAsync().AsTask(), TaskScheduler.Default);
        return app.System;
    }
}
