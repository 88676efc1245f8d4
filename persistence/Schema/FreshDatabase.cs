using Npgsql;

namespace Cop.Persistence.Schema;

/// <summary>A database of its own on the same server as another one: the demo and the benchmarks
/// start clean without touching the main database.</summary>
public static class FreshDatabase
{
    /// <summary>Drops <paramref name="name"/> (whoever is connected to it) and creates it empty, through
    /// the server's maintenance database; returns <paramref name="connectionString"/> pointing at it.</summary>
    public static async Task<string> RecreateAsync(string connectionString, string name)
    {
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Database = "postgres" };
        await using (var conn = new NpgsqlConnection(admin.ConnectionString))
        {
            await conn.OpenAsync();
            // Names come from the code (cop_demo, cop_bench_*), never from input; quoted as identifiers.
            var quoted = $"\"{name.Replace("\"", "\"\"")}\"";
            foreach (var sql in new[] { $"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", $"CREATE DATABASE {quoted}" })
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
            }
        }
        return new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString;
    }
}
