using Npgsql;

namespace Cop.Persistence.Stores;

/// <summary>Sends the heartbeat through PostgreSQL itself (pg_notify on system_heartbeat), so it
/// comes back only through a working LISTEN connection.</summary>
public sealed class HeartbeatPublisher(NpgsqlDataSource db)
{
    public async Task PublishAsync(string payload)
    {
        await using var cmd = db.CreateCommand("SELECT pg_notify('system_heartbeat', @p)");
        cmd.Parameters.AddWithValue("p", payload);
        await cmd.ExecuteNonQueryAsync();
    }
}
