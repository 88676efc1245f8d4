using Npgsql;

namespace Cop.Persistence.Stores;

/// <summary>Rejected input, kept with the reason it was rejected.</summary>
public sealed class QuarantineStore(NpgsqlDataSource db) : Cop.Streams.Notifications.IQuarantine
{
    public Task AddAsync(string source, string rawPayload, string reason, CancellationToken ct = default) =>
        AddAsync(source, rawPayload, reason, null, ct);

    public async Task AddAsync(string source, string rawPayload, string reason, string? reasonCode, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "INSERT INTO quarantine (source, raw_payload, reason, reason_code) VALUES (@s, @p, @r, @code)");
        cmd.Parameters.AddWithValue("code", (object?)reasonCode ?? DBNull.Value);
        cmd.Parameters.AddWithValue("s", source);
        // NUL bytes cannot be stored in text; keep everything else verbatim.
        cmd.Parameters.AddWithValue("p", rawPayload.Replace("\0", "\\0"));
        cmd.Parameters.AddWithValue("r", reason);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<(string Source, string Payload, string Reason)>> ListAsync(string? source = null, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT source, raw_payload, reason FROM quarantine WHERE @s::text IS NULL OR source = @s ORDER BY id");
        cmd.Parameters.AddWithValue("s", (object?)source ?? DBNull.Value);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<(string, string, string)>();
        while (await r.ReadAsync(ct)) rows.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        return rows;
    }

    /// <summary>The query an operator runs to read why a source's input was quarantined (`cop ingest`
    /// prints it): SQL stays in persistence, the command only shows it.</summary>
    public static string ReasonsQuery(string source) =>
        $"SELECT reason_code, reason FROM quarantine WHERE source = '{source.Replace("'", "''")}'";

    /// <summary>The same for every macro series (MacroStore quarantines them as 'macro:' + variable).</summary>
    public const string MacroReasonsQuery = "SELECT source, reason FROM quarantine WHERE source LIKE 'macro:%'";
}
