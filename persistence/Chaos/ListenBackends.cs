using Npgsql;

namespace Cop.Persistence.Chaos;

/// <summary>What `cop chaos` does to Cop's LISTEN sessions: ends their backends on the server, as a
/// network cut or a server restart would (Cop reconnects and catches up from its watermark).</summary>
public static class ListenBackends
{
    /// <summary>Terminates every backend that is one of Cop's LISTEN connections (application_name
    /// cop-listen-*, or a session whose last statement was LISTEN); returns how many.</summary>
    public static async Task<int> TerminateAsync(string connectionString, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "cop-chaos" }.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE pid <> pg_backend_pid() AND datname = current_database()
              AND (application_name LIKE 'cop-listen-%' OR query ILIKE 'LISTEN%')
            """, conn);
        return (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
