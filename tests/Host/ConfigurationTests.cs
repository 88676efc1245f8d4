using Akka.Configuration;
using Cop.Host.Configuration;
using Cop.Persistence.Schema;
using Npgsql;

namespace Cop.Tests.Host;

public class ConfigurationTests
{
    private static Config Shipped() => Cop.Tests.Infrastructure.ShippedConfig.Hocon();

    [Fact]
    public void The_shipped_configuration_loads_with_embedded_defaults()
    {
        var s = CopSettings.From(CopSettings.WithEnvironment(Shipped(), _ => null));
        Assert.Null(s.DatabaseUrl);
        Assert.Null(s.RedisConfiguration);
        Assert.Equal(TimeSpan.FromSeconds(5), s.Notify.KeepAlive);
        Assert.Equal(3, s.Notify.BreakerMaxFailures);
        Assert.Equal(TimeSpan.FromSeconds(10), s.HeartbeatInterval);
        Assert.Equal(0.15, s.Validation.MaxJump);
        Assert.True(s.Validation.RepairCotLabelledDays);
        Assert.Equal("5m", s.Pipeline.Timeframe);
        Assert.Equal(TimeSpan.FromSeconds(60), s.TwelveData.PollInterval);
    }

    [Fact]
    public void Every_retry_and_first_delay_is_read_from_the_shipped_configuration()
    {
        var s = CopSettings.From(CopSettings.WithEnvironment(Shipped(), _ => null));
        Assert.Equal(TimeSpan.FromSeconds(1), s.HeartbeatFirstBeat);
        Assert.Equal(TimeSpan.FromSeconds(1), s.TwelveData.FirstRetryDelay);
        Assert.Equal((TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10)), (s.Pipeline.RetryMin, s.Pipeline.RetryMax));
        Assert.Equal(TimeSpan.FromSeconds(5), s.Trading.PipelineTimings.AskMargin);
        Assert.Equal((TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5)),
            (s.Trading.PipelineTimings.DeadLetterMinBackoff, s.Trading.PipelineTimings.DeadLetterMaxBackoff));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)), (s.Macro.FirstRun, s.Macro.AskMargin));
        Assert.Equal(TimeSpan.FromMinutes(30), s.Macro.Resilience.BreakerWindow);

        // A changed value reaches the setting: not a default that happens to be equal.
        var changed = CopSettings.From(ConfigurationFactory.ParseString("cop.features.retry-backoff.min = 300ms\ncop.trading.ask-margin = 7s")
            .WithFallback(CopSettings.WithEnvironment(Shipped(), _ => null)));
        Assert.Equal(TimeSpan.FromMilliseconds(300), changed.Pipeline.RetryMin);
        Assert.Equal(TimeSpan.FromSeconds(7), changed.Trading.PipelineTimings.AskMargin);
    }

    [Fact]
    public void Environment_variables_override_HOCON()
    {
        var env = new Dictionary<string, string> { ["COP_DATABASE_URL"] = "postgres://u:p@db:5433/cop", ["COP_REDIS"] = "r:6379" };
        var s = CopSettings.From(CopSettings.WithEnvironment(Shipped(), k => env.GetValueOrDefault(k)));
        Assert.Equal("postgres://u:p@db:5433/cop", s.DatabaseUrl);
        Assert.Equal("r:6379", s.RedisConfiguration);
    }

    [Theory]
    [InlineData("cop.notify.keepalive = -1s", "cop.notify.keepalive")]
    [InlineData("cop.notify.catch-up-batch-size = 0", "cop.notify.catch-up-batch-size")]
    [InlineData("cop.notify.restart.max-backoff = 1ms", "max-backoff")]
    [InlineData("cop.database.embedded.port = 70000", "cop.database.embedded.port")]
    [InlineData("cop.ingest.validation.max-jump = 0", "cop.ingest.validation.max-jump")]
    [InlineData("cop.ingest.validation.max-price = 500", "cop.ingest.validation")]
    [InlineData("cop.ingest.twelvedata.base-url = \"ftp://x\"", "cop.ingest.twelvedata.base-url")]
    [InlineData("cop.instruments = []", "cop.instruments")]
    [InlineData("cop.instruments = [\"USD/COP\", \"USD COP\"]", "cop.instruments")]
    [InlineData("cop.trading.symbol = \"EUR/USD\"", "cop.trading.symbol")]
    [InlineData("cop.ingest.twelvedata.symbol = \"usd/cop\"", "cop.ingest.twelvedata.symbol")]
    [InlineData("cop.features.max-bars-per-unit = 0", "cop.features.max-bars-per-unit")]
    [InlineData("cop.features.macro-refresh = abc", "cop.features.macro-refresh")]
    [InlineData("cop.trading.max-connections = 0", "cop.trading.max-connections")]
    [InlineData("cop.trading.max-macro-age = 0s", "cop.trading.max-macro-age")]
    [InlineData("cop.trading.retry-for = -1s", "cop.trading.retry-for")]
    [InlineData("cop.trading.decisions-in-flight = -2", "cop.trading.decisions-in-flight")]
    [InlineData("cop.trading.retry-backoff.min = 0s", "cop.trading.retry-backoff.min")]
    [InlineData("cop.trading.retry-backoff.max = 100ms", "cop.trading.retry-backoff.max")]
    [InlineData("cop.macro.run-timeout = never", "cop.macro.run-timeout")]
    [InlineData("cop.macro.restart.max-backoff = 10ms", "cop.macro.restart.max-backoff")]
    [InlineData("cop.notify.heartbeat-first-beat = 0s", "cop.notify.heartbeat-first-beat")]
    [InlineData("cop.ingest.twelvedata.first-retry-delay = soon", "cop.ingest.twelvedata.first-retry-delay")]
    [InlineData("cop.features.retry-backoff.min = -1s", "cop.features.retry-backoff.min")]
    [InlineData("cop.features.retry-backoff.max = 1ms", "cop.features.retry-backoff.max")]
    [InlineData("cop.trading.ask-margin = 0s", "cop.trading.ask-margin")]
    [InlineData("cop.trading.dead-letter-backoff.max = 1ms", "cop.trading.dead-letter-backoff.max")]
    [InlineData("cop.macro.first-run = 0s", "cop.macro.first-run")]
    [InlineData("cop.macro.ask-margin = abc", "cop.macro.ask-margin")]
    [InlineData("cop.macro.resilience.breaker-window = -5m", "cop.macro.resilience.breaker-window")]
    public void A_broken_value_names_its_key(string overrideLine, string key)
    {
        var c = ConfigurationFactory.ParseString(overrideLine).WithFallback(Shipped());
        var e = Assert.Throws<ConfigurationException>(() => CopSettings.From(c));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Postgres_urls_become_connection_strings()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionStrings.NormalizePostgres("postgresql://cop:s%40cret@db.local:6543/trading?sslmode=disable"));
        Assert.Equal("db.local", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("trading", b.Database);
        Assert.Equal("cop", b.Username);
        Assert.Equal("s@cret", b.Password);
        Assert.Equal(SslMode.Disable, b.SslMode);
        var plain = new NpgsqlConnectionStringBuilder(ConnectionStrings.NormalizePostgres("Host=h;Database=d;Username=u"));
        Assert.Equal("h", plain.Host);
    }

    [Theory]
    [InlineData("postgres://host", "no database")]
    [InlineData("Database=x", "Host")]
    [InlineData("this is nonsense", "neither")]
    public void A_bad_database_url_says_what_is_wrong(string url, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ConnectionStrings.NormalizePostgres(url));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Listener_connections_are_never_pooled()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionStrings.Dedicated("Host=h;Database=d", "cop-listen-x"));
        Assert.False(b.Pooling);
        Assert.Equal("cop-listen-x", b.ApplicationName);
    }

    [Fact]
    public void A_named_pool_is_capped_but_never_raised_above_what_the_connection_string_allows()
    {
        var capped = new NpgsqlConnectionStringBuilder(ConnectionStrings.Pooled("Host=h;Database=d", "cop-trading", 2));
        Assert.Equal(2, capped.MaxPoolSize);
        Assert.Equal("cop-trading", capped.ApplicationName);
        Assert.True(capped.Pooling);
        var smaller = new NpgsqlConnectionStringBuilder(ConnectionStrings.Pooled("Host=h;Database=d;Maximum Pool Size=1", "cop-trading", 2));
        Assert.Equal(1, smaller.MaxPoolSize);
    }
}
