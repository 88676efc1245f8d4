using Cop.Host.Composition;
using Cop.Persistence.Schema;
using Npgsql;

namespace Cop.Host.Operations;

/// <summary>
/// Cop behind PgBouncer in transaction mode (issue 18): when cop.database.listen-connection-string
/// names PostgreSQL itself, cop.database.connection-string is taken to be the pooler. What keeps
/// session state goes direct: the LISTEN connections (a pooler hands the session to others between
/// transactions, and LISTEN dies with it) and the feature writer (its single-writer role is a
/// startup option, `-c role=...`, which PgBouncer cannot carry). Everything else (the models'
/// reads and decisions, the journal, watermarks, catch-up reads, heartbeat, sampler) is pooled,
/// with No Reset On Close (Npgsql's DISCARD ALL would land on whatever server connection the next
/// transaction gets) and no auto-prepared statements (a prepared statement lives in one server
/// session). Akka.Persistence.Sql's journal runs each write in its own transaction, so it works
/// pooled (tested by PgBouncerTests).
/// </summary>
public static class PgBouncer
{
    public static CopEnvironment Route(CopEnvironment env)
    {
        var direct = env.Settings.Hocon.GetString("cop.database.listen-connection-string", "");
        if (string.IsNullOrWhiteSpace(direct)) return env;
        var pooled = new NpgsqlConnectionStringBuilder(env.ConnectionString) { NoResetOnClose = true, MaxAutoPrepare = 0 };
        return env with
        {
            ConnectionString = pooled.ConnectionString,
            DirectConnectionString = ConnectionStrings.NormalizePostgres(direct),
        };
    }
}
