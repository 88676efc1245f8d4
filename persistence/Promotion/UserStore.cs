using Npgsql;

namespace Cop.Persistence.Promotion;

/// <summary>cop_users: who may sign in to the web UI, with which role. Stores the hash it is given
/// (the host hashes: salted PBKDF2), never a password.</summary>
public sealed class UserStore(NpgsqlDataSource db)
{
    public static readonly IReadOnlyList<string> Roles = ["viewer", "reviewer", "admin"];

    /// <summary>Adds the user or replaces their role and hash; true when the user is new.</summary>
    public async Task<bool> SetAsync(string email, string role, string passwordHash, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO cop_users (email, role, password_hash) VALUES (@e, @r, @h)
            ON CONFLICT (email) DO UPDATE SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash, updated_at = NOW()
            RETURNING (xmax = 0)
            """);
        cmd.Parameters.AddWithValue("e", email);
        cmd.Parameters.AddWithValue("r", role);
        cmd.Parameters.AddWithValue("h", passwordHash);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<CopUser?> GetAsync(string email, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT email, role, password_hash, created_at FROM cop_users WHERE email = @e");
        cmd.Parameters.AddWithValue("e", email);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new CopUser(r.GetString(0), r.GetString(1), r.GetString(2), r.GetDateTime(3)) : null;
    }

    public async Task<IReadOnlyList<CopUser>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT email, role, '', created_at FROM cop_users ORDER BY email");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<CopUser>();
        while (await r.ReadAsync(ct)) list.Add(new CopUser(r.GetString(0), r.GetString(1), r.GetString(2), r.GetDateTime(3)));
        return list;
    }
}
