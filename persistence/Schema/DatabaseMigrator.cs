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
        var upgrader = DeployChanges.To.PostgresqlDatabase(Named(connectionString))
            .WithScriptsEmbeddedInAssembly(Scripts, name => name.StartsWith("migrations/"))
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
            var number = NumberOf(migration);
            if (keepThrough is not null && string.CompareOrdinal(number, keepThrough) <= 0) break;
            var rollbackName = Scripts.GetManifestResourceNames()
                .SingleOrDefault(n => n.StartsWith($"rollback/rollback_{number}_"))
                ?? throw new InvalidOperationException($"migration {migration} has no rollback script rollback_{number}_*.sql");
            using var tx = conn.BeginTransaction();
            using (var cmd = new NpgsqlCommand(Read(rollbackName), conn, tx)) cmd.ExecuteNonQuery();
            using (var del = new NpgsqlCommand("DELETE FROM public.schemaversions WHERE scriptname = @n", conn, tx))
            {
                del.Parameters.AddWithValue("n", migration);
                del.ExecuteNonQuery();
            }
            tx.Commit();
            undone.Add(migration);
        }
        return undone;
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
