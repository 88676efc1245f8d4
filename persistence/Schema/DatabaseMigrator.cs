using System.Reflection;
using DbUp;
using DbUp.Engine;
using Npgsql;

namespace Cop.Persistence.Schema;

/// <summary>
/// Applies db-migrations/*.sql in order (DbUp journal: public.schemaversions) and rolls them
/// back with db-migrations/rollback/rollback_NNN_*.sql, newest first.
/// </summary>
public static class DatabaseMigrator
{
    private static readonly Assembly Scripts = typeof(DatabaseMigrator).Assembly;

    /// <summary>Migrations show up as cop-migrate in pg_stat_activity (a lock they wait on is findable).</summary>
    private static string Named(string connectionString) => ConnectionStrings.Pooled(connectionString, "cop-migrate");

    public static IReadOnlyList<string> AllMigrations() =>
        Scripts.GetManifestResourceNames().Where(n => n.StartsWith("migrations/")).Order().ToList();

    public static IReadOnlyList<string> Apply(string connectionString)
    {
        // What an operator rolled back stays rolled back (cop migrate --rollback-to / --rollback-only):
        // `cop run` and a plain `cop migrate` apply the rest; only --roll-forward lifts the hold.
        EnsureHoldsTable(connectionString);   // always there, so an operator's query of it never fails
        var holds = Holds(connectionString);
        var upgrader = DeployChanges.To.PostgresqlDatabase(Named(connectionString))
            .WithScriptsEmbeddedInAssembly(Scripts, name => name.StartsWith("migrations/") && !IsHeld(NumberOf(name), holds))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException(result.ErrorScript is { } script
                ? $"migration {script.Name} failed: {result.Error.Message}"
                : $"migrations could not start: {result.Error.Message}", result.Error);
        return result.Scripts.Select(s => s.Name).ToList();
    }

    public static IReadOnlyList<string> Applied(string connectionString)
    {
        using var conn = new NpgsqlConnection(Named(connectionString));
        conn.Open();
        using var exists = new NpgsqlCommand("SELECT to_regclass('public.schemaversions') IS NOT NULL", conn);
        if (!(bool)exists.ExecuteScalar()!) return [];
        using var cmd = new NpgsqlCommand("SELECT scriptname FROM public.schemaversions ORDER BY scriptname", conn);
        using var reader = cmd.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>Rolls back applied migrations newer than <paramref name="keepThrough"/>
    /// (e.g. "032" keeps 001..032; null rolls back everything). Each step is one transaction.</summary>
    public static IReadOnlyList<string> Rollback(string connectionString, string? keepThrough = null)
    {
        var applied = Applied(connectionString);
        var undone = new List<string>();
        using var conn = new NpgsqlConnection(Named(connectionString));
        conn.Open();
        foreach (var migration in applied.OrderDescending())
        {
            if (keepThrough is not null && string.CompareOrdinal(NumberOf(migration), keepThrough) <= 0) break;
            Undo(conn, migration);
            undone.Add(migration);
        }
        return undone;
    }

    /// <summary>A hold recorded by an operator's rollback: <c>after</c> (nothing newer than
    /// <see cref="Number"/> is applied) or <c>only</c> (that one migration is not).</summary>
    public sealed record MigrationHold(string Number, string Kind, string HeldBy, DateTime HeldAt, string Reason);

    // Kept beside DbUp's journal (public.schemaversions) and, like it, created by the migrator rather
    // than by a numbered migration: a rollback must not drop the record of itself.
    private const string HoldsTable = "public.schemaversions_holds";

    public static IReadOnlyList<MigrationHold> Holds(string connectionString)
    {
        using var conn = new NpgsqlConnection(Named(connectionString));
        conn.Open();
        using var exists = new NpgsqlCommand($"SELECT to_regclass('{HoldsTable}') IS NOT NULL", conn);
        if (!(bool)exists.ExecuteScalar()!) return [];
        using var cmd = new NpgsqlCommand($"SELECT number, kind, held_by, held_at, reason FROM {HoldsTable} ORDER BY number", conn);
        using var r = cmd.ExecuteReader();
        var holds = new List<MigrationHold>();
        while (r.Read()) holds.Add(new MigrationHold(r.GetString(0), r.GetString(1), r.GetString(2), r.GetDateTime(3), r.GetString(4)));
        return holds;
    }

    public static bool IsHeld(string number, IReadOnlyList<MigrationHold> holds) =>
        holds.Any(h => h.Kind == "only" ? h.Number == number : string.CompareOrdinal(number, h.Number) > 0);

    /// <summary>Rolls back every migration newer than <paramref name="target"/> and records that
    /// nothing newer is applied again until <see cref="RollForward"/>.</summary>
    public static IReadOnlyList<string> RollbackTo(string connectionString, string target, string heldBy, string reason)
    {
        var undone = Rollback(connectionString, target);
        RecordHold(connectionString, target, "after", heldBy, reason);
        return undone;
    }

    /// <summary>Runs one applied migration's rollback script and forgets it, in one transaction.</summary>
    private static void Undo(NpgsqlConnection conn, string migration)
    {
        var number = NumberOf(migration);
        var rollbackName = Scripts.GetManifestResourceNames().SingleOrDefault(n => n.StartsWith($"rollback/rollback_{number}_"))
            ?? throw new InvalidOperationException($"migration {migration} has no rollback script rollback_{number}_*.sql");
        using var tx = conn.BeginTransaction();
        using (var cmd = new NpgsqlCommand(Read(rollbackName), conn, tx)) cmd.ExecuteNonQuery();
        using (var del = new NpgsqlCommand("DELETE FROM public.schemaversions WHERE scriptname = @n", conn, tx))
        {
            del.Parameters.AddWithValue("n", migration);
            del.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>Rolls back one applied migration (its rollback script) and records that it is not
    /// applied again until <see cref="RollForward"/>: the spec's rollback of 033 (the NOTIFY
    /// triggers) while the migrations after it, which do not depend on it, stay.</summary>
    public static string RollbackOnly(string connectionString, string number, string heldBy, string reason)
    {
        var migration = Applied(connectionString).SingleOrDefault(m => NumberOf(m) == number)
            ?? throw new InvalidOperationException($"migration {number} is not applied: nothing to roll back (cop migrate lists what is)");
        using (var conn = new NpgsqlConnection(Named(connectionString)))
        {
            conn.Open();
            Undo(conn, migration);
        }
        RecordHold(connectionString, number, "only", heldBy, reason);
        return migration;
    }

    /// <summary>Lifts every hold and applies what is missing.</summary>
    public static (IReadOnlyList<MigrationHold> Lifted, IReadOnlyList<string> Applied) RollForward(string connectionString)
    {
        var lifted = Holds(connectionString);
        if (lifted.Count > 0)
        {
            using var conn = new NpgsqlConnection(Named(connectionString));
            conn.Open();
            using var cmd = new NpgsqlCommand($"DELETE FROM {HoldsTable}", conn);
            cmd.ExecuteNonQuery();
        }
        return (lifted, Apply(connectionString));
    }

    private static void EnsureHoldsTable(string connectionString)
    {
        using var conn = new NpgsqlConnection(Named(connectionString));
        conn.Open();
        using var cmd = new NpgsqlCommand($"""
            CREATE TABLE IF NOT EXISTS {HoldsTable} (
                number  TEXT        PRIMARY KEY,
                kind    TEXT        NOT NULL CHECK (kind IN ('after', 'only')),
                held_by TEXT        NOT NULL,
                held_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                reason  TEXT        NOT NULL)
            """, conn);
        cmd.ExecuteNonQuery();
    }

    private static void RecordHold(string connectionString, string number, string kind, string heldBy, string reason)
    {
        EnsureHoldsTable(connectionString);
        using var conn = new NpgsqlConnection(Named(connectionString));
        conn.Open();
        using var cmd = new NpgsqlCommand($"""
            INSERT INTO {HoldsTable} (number, kind, held_by, reason) VALUES (@n, @k, @b, @r)
            ON CONFLICT (number) DO UPDATE SET kind = EXCLUDED.kind, held_by = EXCLUDED.held_by, held_at = now(), reason = EXCLUDED.reason
            """, conn);
        cmd.Parameters.AddWithValue("n", number);
        cmd.Parameters.AddWithValue("k", kind);
        cmd.Parameters.AddWithValue("b", heldBy);
        cmd.Parameters.AddWithValue("r", reason);
        cmd.ExecuteNonQuery();
    }

    private static string NumberOf(string scriptName) =>
        Path.GetFileName(scriptName.Replace("migrations/", "")).Split('_')[0];

    private static string Read(string resource)
    {
        using var s = Scripts.GetManifestResourceStream(resource)!;
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
