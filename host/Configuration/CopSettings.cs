using Akka.Configuration;
using Cop.Actors.Features;
using Cop.Streams.Features;
using Cop.Streams.Ingestion;
using Cop.Streams.Macro;
using Cop.Trading.Macro;
using Cop.Streams.Notifications;
using Cop.Trading.Validation;

namespace Cop.Host.Configuration;

/// <summary>Cop's settings, read from HOCON (hocon/cop.conf, then COP_CONFIG, then the
/// environment variables the file names). Bad values fail start-up naming the key.</summary>
public sealed record CopSettings(
    Config Hocon,
    string? DatabaseUrl,
    string PostgresDataDirectory,
    int PostgresPort,
    string? RedisConfiguration,
    string RedisDirectory,
    string HttpUrls,
    NotificationSourceSettings Notify,
    TimeSpan HeartbeatInterval,
    ValidationRules Validation,
    TwelveDataSettings TwelveData,
    BarSeriesSettings Series,
    FeaturePipelineSettings Pipeline,
    MacroSettings Macro,
    TradingSettings Trading)
{
    /// <summary>The heartbeat's first beat after start (hocon: cop.notify.heartbeat-first-beat): HeartbeatMonitor.Props(firstBeat:).</summary>
    public TimeSpan HeartbeatFirstBeat { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long /health waits for the heartbeat monitor (hocon: cop.http.health-timeout).</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>How often the Redis materialisation asks whether it is due (hocon: cop.redis.materialisation-check).</summary>
    public TimeSpan MaterialisationCheck { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>How long a stopping event graph is waited for (hocon: cop.notify.stop-timeout).</summary>
    public TimeSpan GraphStopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static CopSettings Load(string? baseDirectory = null)
    {
        var dir = baseDirectory ?? Path.Combine(AppContext.BaseDirectory, "hocon");
        var path = Path.Combine(dir, "cop.conf");
        if (!File.Exists(path)) throw new ConfigurationException($"configuration file {path} is missing");
        var config = Parse(path);
        var macro = Path.Combine(dir, "macro.conf");
        if (File.Exists(macro)) config = config.WithFallback(Parse(macro));
        var extra = Environment.GetEnvironmentVariable("COP_CONFIG");
        if (!string.IsNullOrWhiteSpace(extra))
        {
            if (!File.Exists(extra)) throw new ConfigurationException($"COP_CONFIG names {extra}, which does not exist");
            config = Parse(extra).WithFallback(config);
        }
        return From(WithEnvironment(config, Environment.GetEnvironmentVariable));
    }

    /// <summary>Environment variables a user can guess, and the HOCON keys they override.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentOverrides = new Dictionary<string, string>
    {
        ["COP_DATABASE_URL"] = "cop.database.connection-string",
        ["COP_PG_DATA"] = "cop.database.embedded.data-directory",
        ["COP_REDIS"] = "cop.redis.configuration",
        ["COP_HTTP_URLS"] = "cop.http.urls",
        ["COP_TWELVEDATA_API_KEY"] = "cop.ingest.twelvedata.api-key",
        ["COP_FRED_API_KEY"] = "cop.macro.fred.api-key",
        ["COP_NOTIFY_MODE"] = "cop.notify.mode",
        ["COP_LISTEN_DATABASE_URL"] = "cop.database.listen-connection-string",
        ["COP_LOG_FORMAT"] = "cop.log.format",
        ["COP_LOG_LEVEL"] = "cop.log.level",
    };

    public static Config WithEnvironment(Config config, Func<string, string?> env)
    {
        foreach (var (variable, key) in EnvironmentOverrides)
            if (env(variable) is { Length: > 0 } value)
                config = ConfigurationFactory.ParseString($"{key} = {Quote(value)}").WithFallback(config);
        return config;
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static Config Parse(string path)
    {
        var text = HoconSyntax.ReadChecked(path);   // Akka's parser skips what it cannot read: see HoconSyntax
        try { return ConfigurationFactory.ParseString(text); }
        catch (Exception e) { throw new ConfigurationException($"{path} is not valid HOCON: {e.Message}"); }
    }

    public static CopSettings From(Config c)
    {
        var n = "cop.notify";
        var instruments = ReadInstruments(c);
        var notify = new NotificationSourceSettings
        {
            Instruments = instruments,
            KeepAlive = Positive(c, $"{n}.keepalive"),
            CatchUpInterval = Positive(c, $"{n}.catch-up-interval"),
            CatchUpBatchSize = PositiveInt(c, $"{n}.catch-up-batch-size"),
            PollInterval = Positive(c, $"{n}.poll-interval"),
            BreakerMaxFailures = PositiveInt(c, $"{n}.breaker.max-failures"),
            BreakerResetTimeout = Positive(c, $"{n}.breaker.reset-timeout"),
            MinBackoff = Positive(c, $"{n}.restart.min-backoff"),
            MaxBackoff = Positive(c, $"{n}.restart.max-backoff"),
            PollOnly = Operations.NotifyModes.From(c) == Operations.NotifyMode.Poll,
        };
        if (notify.MaxBackoff < notify.MinBackoff)
            throw new ConfigurationException($"{n}.restart.max-backoff must not be below min-backoff");
        var pipelineRetry = Backoff(c, "cop.features.retry-backoff.min", "cop.features.retry-backoff.max");
        var deadLetterRetry = Backoff(c, "cop.trading.dead-letter-backoff.min", "cop.trading.dead-letter-backoff.max");
        var port = c.GetInt("cop.database.embedded.port", 0);
        if (port is < 0 or > 65535) throw new ConfigurationException($"cop.database.embedded.port = {port} is not a port");
        return new CopSettings(
            c,
            NullIfEmpty(c.GetString("cop.database.connection-string", "")),
            Home(c.GetString("cop.database.embedded.data-directory", ".cop/postgres")),
            port,
            NullIfEmpty(c.GetString("cop.redis.configuration", "")),
            Home(c.GetString("cop.redis.embedded.directory", ".cop/redis")),
            c.GetString("cop.http.urls", "http://127.0.0.1:9464"),
            notify,
            Positive(c, $"{n}.heartbeat-interval"),
            ReadValidation(c) with { Instruments = instruments },
            ReadTwelveData(c) is var td && instruments.Contains(td.Symbol) ? td
                : throw new ConfigurationException($"cop.ingest.twelvedata.symbol = {Cop.Trading.InstrumentCatalogue.Printable(td.Symbol)} is not in cop.instruments"),
            new BarSeriesSettings
            {
                MaxBarsPerUnit = PositiveInt(c, "cop.features.max-bars-per-unit"),
                SnapshotEvery = PositiveInt(c, "cop.features.snapshot-every"),
                MacroRefresh = Positive(c, "cop.features.macro-refresh"),
                MinBackoff = Positive(c, "cop.features.restart.min-backoff"),
                MaxBackoff = Positive(c, "cop.features.restart.max-backoff"),
            },
            new FeaturePipelineSettings
            {
                Timeframe = c.GetString("cop.features.timeframe", "5m"),
                MaxBatch = PositiveInt(c, "cop.features.max-batch"),
                AskTimeout = Positive(c, "cop.features.ask-timeout"),
                RetryMin = pipelineRetry.Min,
                RetryMax = pipelineRetry.Max,
            },
            ReadMacro(c),
            new TradingSettings(
                new Cop.Actors.Models.ModelSettings
                {
                    Risk = new Cop.Trading.Decisions.RiskLimits
                    {
                        MaxDrawdown = PositiveDouble(c, "cop.trading.risk.max-drawdown"),
                        MaxTradesPerDay = PositiveInt(c, "cop.trading.risk.max-trades-per-day"),
                        CooldownBars = c.GetInt("cop.trading.risk.cooldown-bars", 3) is var cd and >= 0 ? cd
                            : throw new ConfigurationException("cop.trading.risk.cooldown-bars must not be negative"),
                        MaxPosition = PositiveInt(c, "cop.trading.risk.max-position"),
                    },
                    Costs = new Cop.Trading.Decisions.FillCosts(c.GetDouble("cop.trading.paper.spread-bps", 2), c.GetDouble("cop.trading.paper.slippage-bps", 1)),
                    SnapshotEvery = PositiveInt(c, "cop.trading.snapshot-every"),
                    MaxMacroAge = Positive(c, "cop.trading.max-macro-age"),
                    Symbol = c.GetString("cop.trading.symbol", "USD/COP") is var sym && instruments.Contains(sym) ? sym
                        : throw new ConfigurationException($"cop.trading.symbol = {Cop.Trading.InstrumentCatalogue.Printable(sym)} is not in cop.instruments"),
                    PoisonRecheck = Positive(c, "cop.trading.poison-recheck"),
                    RestartMinBackoff = Positive(c, "cop.trading.restart.min-backoff"),
                    RestartMaxBackoff = Positive(c, "cop.trading.restart.max-backoff"),
                },
                Positive(c, "cop.trading.registry-poll"),
                Positive(c, "cop.trading.decision-timeout"),
                Positive(c, "cop.trading.dead-letter-interval"),
                PositiveInt(c, "cop.trading.decisions-in-flight"),
                PositiveInt(c, "cop.trading.max-connections"),
                Positive(c, "cop.trading.retry-for"))
            {
                RetryMinBackoff = Positive(c, "cop.trading.retry-backoff.min"),
                RetryMaxBackoff = Positive(c, "cop.trading.retry-backoff.max") is var rb && rb >= Positive(c, "cop.trading.retry-backoff.min") ? rb
                    : throw new ConfigurationException("cop.trading.retry-backoff.max must not be below min"),
                PipelineTimings = new Cop.Streams.Decisions.DecisionPipelineTimings
                {
                    AskMargin = Positive(c, "cop.trading.ask-margin"),
                    DeadLetterMinBackoff = deadLetterRetry.Min,
                    DeadLetterMaxBackoff = deadLetterRetry.Max,
                },
            })
        {
            HeartbeatFirstBeat = Positive(c, $"{n}.heartbeat-first-beat"),
            HealthTimeout = Positive(c, "cop.http.health-timeout"),
            MaterialisationCheck = Positive(c, "cop.redis.materialisation-check"),
            GraphStopTimeout = Positive(c, $"{n}.stop-timeout"),
        };
    }

    /// <summary>cop.macro and its catalogue; an entry that cannot be used names itself and the field.</summary>
    public static MacroSettings ReadMacro(Config c)
    {
        const string m = "cop.macro";
        var variables = new List<MacroVariableSpec>();
        var root = c.GetConfig($"{m}.variables");
        if (root is null || root.IsEmpty) throw new ConfigurationException($"{m}.variables is missing: the macro catalogue is empty");
        foreach (var name in root.Root.GetObject().Items.Keys)
        {
            var key = $"{m}.variables.{name}";
            string Text(string field) => c.GetString($"{key}.{field}", "") is { Length: > 0 } v ? v
                : throw new ConfigurationException($"macro variable '{name}': {field} is missing");
            double Number(string field)
            {
                try { return c.GetDouble($"{key}.{field}"); }
                catch (Exception) { throw new ConfigurationException($"macro variable '{name}': {field} = '{c.GetString($"{key}.{field}", "")}' is not a number"); }
            }
            int Days(string field) => (int)Number(field) is var d && d == Number(field) ? d
                : throw new ConfigurationException($"macro variable '{name}': {field} must be a whole number of days");
            var frequency = Text("frequency") switch
            {
                "daily" => MacroFrequency.Daily,
                "monthly" => MacroFrequency.Monthly,
                "quarterly" => MacroFrequency.Quarterly,
                var f => throw new ConfigurationException($"macro variable '{name}': frequency '{f}' is not daily, monthly or quarterly"),
            };
            var kind = Text("kind") switch
            {
                "market" => MacroKind.Market,
                "step" => MacroKind.Step,
                "survey" => MacroKind.Survey,
                "statistic" => MacroKind.Statistic,
                var k => throw new ConfigurationException($"macro variable '{name}': kind '{k}' is not market, step, survey or statistic"),
            };
            var growth = c.HasPath($"{key}.jump-growth-days") ? Number("jump-growth-days") : PositiveDouble(c, $"{m}.jump-growth-days");
            var spec = new MacroVariableSpec(name, Text("source"), Text("series"), frequency, Days("delay-days"), Days("max-gap-days"),
                Number("min"), Number("max"), Number("max-jump"), c.GetBoolean($"{key}.max-jump-absolute", false), kind, growth);
            try { spec.Check(); }
            catch (ArgumentException e) { throw new ConfigurationException(e.Message); }
            variables.Add(spec);
        }
        var seed = c.GetString($"{m}.seed-start", "2015-01-01");
        return new MacroSettings
        {
            Catalogue = variables,
            SeedStart = DateOnly.TryParse(seed, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d
                : throw new ConfigurationException($"{m}.seed-start = '{seed}' is not a date (yyyy-MM-dd)"),
            Schedule = Positive(c, $"{m}.schedule"),
            RunTimeout = Positive(c, $"{m}.run-timeout"),
            AskMargin = Positive(c, $"{m}.ask-margin"),
            FirstRun = Positive(c, $"{m}.first-run"),
            RestartMinBackoff = Positive(c, $"{m}.restart.min-backoff"),
            RestartMaxBackoff = Positive(c, $"{m}.restart.max-backoff") is var mb && mb >= Positive(c, $"{m}.restart.min-backoff") ? mb
                : throw new ConfigurationException($"{m}.restart.max-backoff must not be below min-backoff"),
            RefreshObservations = PositiveInt(c, $"{m}.refresh-observations"),
            ForwardFillLookbackDays = PositiveInt(c, $"{m}.forward-fill-lookback-days"),
            ParquetDirectory = Home(c.GetString($"{m}.parquet-directory", ".cop/macro")),
            FredBaseUrl = c.GetString($"{m}.fred.base-url", ""),
            FredApiKey = c.GetString($"{m}.fred.api-key", ""),
            BcrpBaseUrl = c.GetString($"{m}.bcrp.base-url", ""),
            BanrepBaseUrl = c.GetString($"{m}.banrep.base-url", ""),
            TwelveDataBaseUrl = c.GetString($"{m}.twelvedata.base-url", "https://api.twelvedata.com"),
            FileDropDirectory = Home(c.GetString($"{m}.file-drop-directory", ".cop/macro-drop")),
            Resilience = new Cop.Streams.Macro.Sources.SourceResilience
            {
                MaxRetries = PositiveInt(c, $"{m}.resilience.max-retries"),
                FirstRetryDelay = Positive(c, $"{m}.resilience.first-retry-delay"),
                BreakerFailures = PositiveInt(c, $"{m}.resilience.breaker-failures"),
                BreakDuration = Positive(c, $"{m}.resilience.break-duration"),
                BreakerWindow = Positive(c, $"{m}.resilience.breaker-window"),
                Timeout = Positive(c, $"{m}.resilience.timeout"),
            },
        };
    }

    /// <summary>cop.instruments: the symbols Cop accepts at all.</summary>
    private static Cop.Trading.InstrumentCatalogue ReadInstruments(Config c)
    {
        const string key = "cop.instruments";
        try { return new Cop.Trading.InstrumentCatalogue(c.HasPath(key) ? c.GetStringList(key) : ["USD/COP"]); }
        catch (Exception e) when (e is not ConfigurationException) { throw new ConfigurationException($"{key}: {e.Message}"); }
    }

    private static ValidationRules ReadValidation(Config c)
    {
        const string v = "cop.ingest.validation";
        var rules = new ValidationRules
        {
            MaxJump = PositiveDouble(c, $"{v}.max-jump"),
            MinPrice = PositiveDouble(c, $"{v}.min-price"),
            MaxPrice = PositiveDouble(c, $"{v}.max-price"),
            FutureTolerance = Positive(c, $"{v}.future-tolerance"),
            RepairCotLabelledDays = c.GetBoolean($"{v}.repair-cot-labelled-days", false),
            MaxUnreadableRows = PositiveInt(c, $"{v}.max-unreadable-rows"),
            UnreadableSample = PositiveInt(c, $"{v}.unreadable-sample"),
        };
        try { rules.Check(); }
        catch (ArgumentException e) { throw new ConfigurationException($"{v}: {e.Message}"); }
        return rules;
    }

    private static TwelveDataSettings ReadTwelveData(Config c)
    {
        const string t = "cop.ingest.twelvedata";
        var url = c.GetString($"{t}.base-url", "https://api.twelvedata.com");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
            throw new ConfigurationException($"{t}.base-url = '{url}' is not an http(s) URL");
        return new TwelveDataSettings
        {
            BaseUrl = url,
            ApiKey = c.GetString($"{t}.api-key", ""),
            Symbol = c.GetString($"{t}.symbol", "USD/COP"),
            Interval = c.GetString($"{t}.interval", "5min"),
            OutputSize = PositiveInt(c, $"{t}.outputsize"),
            PollInterval = Positive(c, $"{t}.poll-interval"),
            Timeout = Positive(c, $"{t}.timeout"),
            MaxAttempts = PositiveInt(c, $"{t}.max-attempts"),
            FirstRetryDelay = Positive(c, $"{t}.first-retry-delay"),
        };
    }

    private static double PositiveDouble(Config c, string key)
    {
        double v;
        try { v = c.GetDouble(key); }
        catch (Exception e) { throw Unreadable(c, key, "is not a number", e); }
        if (!(v > 0)) throw new ConfigurationException($"{key} must be positive (got {v})");
        return v;
    }

    /// <summary>Relative folders live under the checkout (the folder holding hocon/cop.conf and
    /// db-migrations/, looking up from the working directory), else the working directory.</summary>
    internal static string Home(string path)
    {
        if (Path.IsPathRooted(path)) return path;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "hocon", "cop.conf")) && Directory.Exists(Path.Combine(dir.FullName, "db-migrations")))
                return Path.Combine(dir.FullName, path);
        return Path.GetFullPath(path);
    }

    /// <summary>A missing or null key says so, rather than the parser's "(Parameter 's')".</summary>
    private static ConfigurationException Unreadable(Config c, string key, string what, Exception e)
    {
        string? text;
        try { text = c.HasPath(key) ? c.GetString(key, null) : null; }
        catch (Exception) { text = "?"; }
        return new ConfigurationException(!c.HasPath(key) ? $"{key} is missing"
            : text is null ? $"{key} has no value" : $"{key} = '{text}' {what}: {e.Message}");
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static TimeSpan Positive(Config c, string key)
    {
        TimeSpan v;
        try { v = c.GetTimeSpan(key, null, allowInfinite: false); }
        catch (Exception e) { throw Unreadable(c, key, "is not a duration", e); }
        if (v <= TimeSpan.Zero) throw new ConfigurationException($"{key} must be a positive duration (got {v})");
        return v;
    }

    /// <summary>A doubling back-off's bounds: both positive, the max not below the min (the error names the key).</summary>
    private static (TimeSpan Min, TimeSpan Max) Backoff(Config c, string minKey, string maxKey)
    {
        var (min, max) = (Positive(c, minKey), Positive(c, maxKey));
        return max >= min ? (min, max) : throw new ConfigurationException($"{maxKey} = {max} must not be below {minKey} = {min}");
    }

    private static int PositiveInt(Config c, string key)
    {
        int v;
        try { v = c.GetInt(key); }
        catch (Exception e) { throw Unreadable(c, key, "is not a whole number", e); }
        if (v <= 0) throw new ConfigurationException($"{key} must be positive (got {v})");
        return v;
    }
}

/// <summary>cop.trading: the deployed models' risk, paper costs and timings.</summary>
public sealed record TradingSettings(Cop.Actors.Models.ModelSettings Models, TimeSpan RegistryPoll, TimeSpan DecisionTimeout, TimeSpan DeadLetterInterval,
    int DecisionsInFlight, int MaxConnections, TimeSpan RetryFor)
{
    /// <summary>A failed bar is asked again after this, doubling up to <see cref="RetryMaxBackoff"/> (hocon: cop.trading.retry-backoff).</summary>
    public TimeSpan RetryMinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan RetryMaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>The decision stream's ask margin and dead-letter back-off (hocon: cop.trading.ask-margin,
    /// cop.trading.dead-letter-backoff): DecisionPipeline.Decide(timings:) and DeadLetterRetrier(askMargin:).</summary>
    public Cop.Streams.Decisions.DecisionPipelineTimings PipelineTimings { get; init; } = new();
}
