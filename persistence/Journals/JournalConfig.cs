using Akka.Configuration;
using Akka.Persistence.Sql;
using Npgsql;

namespace Cop.Persistence.Journals;

/// <summary>
/// Akka.Persistence.Sql (linq2db) journal and snapshot store on the same PostgreSQL, for the
/// persistent actors (bar series, deployed models). The plugin creates its tables on first use.
/// </summary>
public static class JournalConfig
{
    /// <summary>The plugin settings with its reference configuration as fallback.</summary>
    public static Config For(string connectionString) =>
        ConfigurationFactory.ParseString(Hocon(connectionString)).WithFallback(SqlPersistence.DefaultConfiguration);

    private static string Hocon(string connectionString)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "cop-journal" }.ConnectionString;
        var quoted = "\"" + cs.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        return $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { connection-string = {{quoted}}, provider-name = "PostgreSQL.15", auto-initialize = true, use-clone-connection = false }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { connection-string = {{quoted}}, provider-name = "PostgreSQL.15", auto-initialize = true }
              }
            }
            """;
    }
}
