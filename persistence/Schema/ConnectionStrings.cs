using Npgsql;

namespace Cop.Persistence.Schema;

public static class ConnectionStrings
{
    /// <summary>
    /// Accepts an Npgsql connection string or a postgres:// (postgresql://) URL, and names
    /// the problem when it is neither.
    /// </summary>
    public static string NormalizePostgres(string value)
    {
        value = value.Trim();
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
                throw new FormatException($"COP_DATABASE_URL is not a valid URL: '{Redact(value)}'");
            var b = new NpgsqlConnectionStringBuilder
            {
                Host = uri.Host,
                Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
                Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            };
            if (string.IsNullOrEmpty(b.Database))
                throw new FormatException($"COP_DATABASE_URL names no database: '{Redact(value)}'");
            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                var parts = uri.UserInfo.Split(':', 2);
                b.Username = Uri.UnescapeDataString(parts[0]);
                if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
            }
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                var key = Uri.UnescapeDataString(kv[0]);
                var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
                b[key == "sslmode" ? "SSL Mode" : key] = val;
            }
            return b.ConnectionString;
        }
        try
        {
            var b = new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(b.Host))
                throw new FormatException("COP_DATABASE_URL names no Host");
            return b.ConnectionString;
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"COP_DATABASE_URL is neither a postgres:// URL nor an Npgsql connection string: {e.Message}");
        }
    }

    /// <summary>A connection that keeps session state (LISTEN): never pooled, because
    /// returning it to a pool resets the session and drops the LISTEN.</summary>
    public static string Dedicated(string connectionString, string applicationName, int keepaliveSeconds = 0)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = applicationName,
            TcpKeepAlive = true,
            Timeout = 5,
        };
        if (keepaliveSeconds > 0) b.KeepAlive = keepaliveSeconds;
        return b.ConnectionString;
    }

    /// <summary>A pool of its own, named in pg_stat_activity. Npgsql hands out idle connections
    /// first in, first out, so a pool grown by a backlog spreads every later query over all its
    /// backends, each cold (`cop bench`: 20 backends instead of 6 cost the live bars ~0.3 ms at the
    /// median); <paramref name="maxPoolSize"/> keeps it to what the path can use on these cores.</summary>
    public static string Pooled(string connectionString, string applicationName, int? maxPoolSize = null)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName };
        if (maxPoolSize is { } max && b.MaxPoolSize > max) b.MaxPoolSize = max;
        return b.ConnectionString;
    }

    /// <summary>The same database under a role (`SET ROLE` at connection start, kept across
    /// pool resets): the feature writer and the ingester each write only what their grants allow.</summary>
    public static string AsRole(string connectionString, string role, string applicationName)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName };
        b.Options = $"{b.Options} -c role={role}".Trim();
        return b.ConnectionString;
    }

    public static string Redact(string value)
    {
        var at = value.IndexOf('@');
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme > 0 ? value[..(scheme + 3)] + "***" + value[at..] : value;
    }
}
