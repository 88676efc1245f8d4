using Cop.Actors.Models;
using Npgsql;
using NpgsqlTypes;

namespace Cop.Persistence.Stores;

/// <summary>trading.decision_skips, as a held model reads it (written by <see cref="DeadLetterStore.SkipAsync"/>).</summary>
public sealed class DecisionSkipStore(NpgsqlDataSource db) : IDecisionSkips
{
    public async Task<DecisionSkip?> FindAsync(string modelId, string symbol, DateTime barTime, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT skipped_by, skipped_at, reason FROM trading.decision_skips WHERE model_id = @m AND symbol = @s AND bar_time = @t
            """);
        cmd.Parameters.AddWithValue("m", modelId);
        cmd.Parameters.AddWithValue("s", symbol);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.TimestampTz, barTime);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new DecisionSkip(r.GetString(0), r.GetDateTime(1), r.GetString(2)) : null;
    }
}
