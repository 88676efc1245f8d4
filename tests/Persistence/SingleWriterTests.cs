using Cop.Persistence.Schema;
using Cop.Persistence.Stores;
using Cop.Tests.Infrastructure;
using Npgsql;

namespace Cop.Tests.Persistence;

/// <summary>Only cop_feature_writer may write inference_features_5m: enforced by grants.</summary>
[Collection(PersistenceCollection.Name)]
public class SingleWriterTests
{
    private const string Insert = "INSERT INTO inference_features_5m (symbol, time, log_ret_5m) VALUES ('USD/COP', '2024-07-02 13:00Z', 0.1)";

    [Fact]
    public async Task The_feature_writer_role_can_write_and_any_other_role_cannot()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("grant");
        // A service login that may take the writer role (NOINHERIT: only by asking for it).
        var other = $"cop_other_{Guid.NewGuid():N}"[..20];
        await Sql.ExecAsync(cs, $"CREATE ROLE {other} LOGIN NOINHERIT");
        await Sql.ExecAsync(cs, $"GRANT cop_feature_writer TO {other}");   // may take the role, but only when asked

        var asOther = new NpgsqlConnectionStringBuilder(cs) { Username = other }.ConnectionString;
        var denied = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecAsync(asOther, Insert));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        Assert.Contains("inference_features_5m", denied.MessageText);

        var asIngester = ConnectionStrings.AsRole(cs, BarStore.IngesterRole, "test");
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege,
            (await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecAsync(asIngester, Insert))).SqlState);

        var asWriter = ConnectionStrings.AsRole(asOther, FeatureStore.WriterRole, "test");
        Assert.Equal("cop_feature_writer", await Sql.ScalarAsync<string>(asWriter, "SELECT current_user::text"));
        Assert.Equal(1, await Sql.ExecAsync(asWriter, Insert));
        // The writer writes features, not bars.
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecAsync(asWriter,
            "INSERT INTO usdcop_m5_ohlcv (symbol, time, open, high, low, close) VALUES ('USD/COP', now(), 1, 1, 1, 1)"))).SqlState);
    }

    [Fact]
    public async Task The_role_survives_the_pool_resetting_a_returned_connection()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("grant");
        await using var db = NpgsqlDataSource.Create(ConnectionStrings.AsRole(cs, FeatureStore.WriterRole, "test") + ";Maximum Pool Size=1");
        for (var i = 0; i < 3; i++)
        {
            await using var cmd = db.CreateCommand("SELECT current_user::text");
            Assert.Equal("cop_feature_writer", await cmd.ExecuteScalarAsync());
            await using var reset = db.CreateCommand("RESET ALL");   // what a pool reset does to session settings
            await reset.ExecuteNonQueryAsync();
        }
    }
}
