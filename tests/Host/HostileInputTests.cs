using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Cop.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Cop.Tests.Host;

/// <summary>
/// Bad input as a hostile but honest user gives it (issue 12), through the built `cop` as a
/// process on a real PostgreSQL: each case asserts the one line the user sees, the exit code, and
/// that what was stored before is still there, unchanged. A later change that lets one of these
/// through again, or answers it with a stack trace, fails here.
/// </summary>
[Collection(HostCollection.Name)]
public class HostileInputTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _home = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cop-hostile-{Guid.NewGuid():N}")).FullName;

    public void Dispose()
    {
        try { Directory.Delete(_home, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    // ---- configuration ----------------------------------------------------------------------

    public static TheoryData<string, string> BrokenHocon => new()
    {
        { "garbage", "line 1" },
        { "binary", "line 1" },
        { "truncated", "line 6" },
    };

    [Theory]
    [MemberData(nameof(BrokenHocon))]
    public async Task A_COP_CONFIG_that_is_not_HOCON_refuses_to_start_naming_the_file_and_line(string kind, string line)
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_conf", migrate: false);
        var conf = Path.Combine(_home, $"{kind}.conf");
        switch (kind)
        {
            case "garbage":   // the valid override after the garbage was dropped, silently
                await File.WriteAllTextAsync(conf, "cop { {{{ ]]] = =\ncop.ingest.validation.max-jump = 0.2\n");
                break;
            case "binary":
                await File.WriteAllBytesAsync(conf, [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x3e, 0x00]);
                break;
            case "truncated":   // cut in the middle of a value
                await File.WriteAllTextAsync(conf, "cop {\n  ingest {\n    validation {\n      max-jump = 0.2\n      min-price = 1000\n      max-price = ");
                break;
        }
        var r = await CopAsync(["migrate"], cs, ("COP_CONFIG", conf));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{conf} is not valid HOCON: {line}", r.Fatal);
        Assert.DoesNotContain("Parameter", r.Fatal);
        Assert.False(await SchemaExistsAsync(cs), "migrations ran on a configuration that was refused");
    }

    [Fact]
    public async Task A_setting_left_without_a_value_names_the_key_not_a_parser_parameter()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_conf_null", migrate: false);
        var conf = Path.Combine(_home, "null.conf");
        await File.WriteAllTextAsync(conf, "cop.ingest.validation.max-jump = null\n");
        var r = await CopAsync(["migrate"], cs, ("COP_CONFIG", conf));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("cop.ingest.validation.max-jump has no value", r.Fatal);
        Assert.DoesNotContain("Parameter", r.Fatal);
        Assert.False(await SchemaExistsAsync(cs));
    }

    [Fact]
    public async Task A_COP_CONFIG_using_the_HOCON_syntax_Cop_reads_is_accepted()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_conf_ok", migrate: false);
        var conf = Path.Combine(_home, "rich.conf");
        await File.WriteAllTextAsync(conf, """"
            # every construct the checker must let through
            base { jump = 0.2 }
            cop {
              ingest.validation {
                max-jump = ${base.jump}   // a substitution and a comment
                "min-price" : 900
                future-tolerance = 45s,
              }
              http { urls = "http://127.0.0.1:9464" }
              list = [1, 2
                3]
              list += 4
              note = """multi
              line "quoted" text"""
              optional = ${?COP_NOT_SET}
            }
            """");
        var r = await CopAsync(["migrate"], cs, ("COP_CONFIG", conf));
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.True(await SchemaExistsAsync(cs));
    }

    // ---- bar files --------------------------------------------------------------------------

    [Fact]
    public async Task A_truncated_gz_is_reported_as_truncated_with_the_rows_read_and_stores_nothing()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_gz");
        var first = await WriteBarsAsync("first.csv", Days[..1]);
        Assert.Equal(0, (await CopAsync(["ingest", "--file", first], cs)).ExitCode);
        var before = await CountsAsync(cs);
        Assert.Equal(60, before.Bars);

        var whole = await WriteBarsAsync("rest.csv.gz", Days[1..]);
        var bytes = await File.ReadAllBytesAsync(whole);
        var cut = Path.Combine(_home, "cut.csv.gz");
        await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length / 2)]);
        var r = await CopAsync(["ingest", "--file", cut], cs);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"cut\.csv\.gz is truncated: the gzip archive ends after [\d,]+ rows .*nothing from it was stored", r.Fatal);
        Assert.Equal(before, await CountsAsync(cs));

        // Fetched again whole, the same file goes in as if the cut one had never been seen.
        var again = await CopAsync(["ingest", "--file", whole], cs);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal(before with { Bars = 60 * Days.Length }, await CountsAsync(cs));
    }

    [Fact]
    public async Task A_file_of_garbage_rows_under_a_valid_header_is_refused_after_a_bounded_number_keeping_a_sample()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_garbage");
        var first = await WriteBarsAsync("first.csv", Days[..1]);
        Assert.Equal(0, (await CopAsync(["ingest", "--file", first], cs)).ExitCode);
        var before = await CountsAsync(cs);

        var garbage = Path.Combine(_home, "garbage.csv");
        await using (var w = new StreamWriter(garbage))
        {
            await w.WriteLineAsync(Header);
            for (var i = 0; i < 20_000; i++) await w.WriteLineAsync($"x{i},y,z,w,v,u,t,s");
        }
        var r = await CopAsync(["ingest", "--file", garbage], cs);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("garbage.csv is not a bar file: 1,001 unreadable rows", r.Fatal);
        Assert.Contains("cop.ingest.validation.max-unreadable-rows", r.Fatal);
        Assert.Equal(before.Bars, (await CountsAsync(cs)).Bars);
        Assert.Equal(100L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM quarantine WHERE source = 'file:garbage.csv'"));
    }

    [Fact]
    public async Task Bad_bars_get_their_own_reasons_and_a_conflicting_resend_keeps_both_versions()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_bars");
        var first = await WriteBarsAsync("first.csv", Days[..1]);
        Assert.Equal(0, (await CopAsync(["ingest", "--file", first], cs)).ExitCode);
        var before = await CountsAsync(cs);
        var t0 = Days[0].AddHours(13);
        var next = Days[1].AddHours(13);

        var hostile = Path.Combine(_home, "hostile.csv");
        await File.WriteAllLinesAsync(hostile,
        [
            Header,
            Line(t0, 4111.0),                                     // the stored bar again, other prices
            Line(t0.AddMinutes(5), 3999.5),                       // the stored bar again, same prices: duplicate
            $"{next:yyyy-MM-dd HH:mm:ss}+00:00,USD/COP,1e308,1e308,1e308,1e308,0,test",
            $"{next.AddMinutes(5):yyyy-MM-dd HH:mm:ss},USD/COP,4000,4001,3999,4000.5,0,test",   // no offset
            Line(next.AddMinutes(10), 4000.0),                    // in the file twice, the second with other prices
            Line(next.AddMinutes(10), 4222.0),
        ]);
        var r = await CopAsync(["ingest", "--file", hostile], cs);
        Assert.True(r.ExitCode == 0, r.Output);
        var rows = await QuarantineAsync(cs, "file:hostile.csv");
        output.WriteLine(string.Join("\n", rows));
        Assert.Equal(["conflicting_duplicate", "conflicting_duplicate", "duplicate", "price_out_of_range", "unreadable"],
            rows.Select(q => q.Code).Order());
        var conflict = rows.Single(q => q.Code == "conflicting_duplicate" && q.Reason.Contains("already stored"));
        Assert.Contains("C=4001", conflict.Reason);     // the stored version (close = price + 1)
        Assert.Contains("C=4112", conflict.Reason);     // and the one sent again
        Assert.Contains("4111", conflict.Raw);
        Assert.Contains("earlier in this input", rows.Single(q => q.Code == "conflicting_duplicate" && q != conflict).Reason);
        Assert.Contains("has no UTC offset", rows.Single(q => q.Code == "unreadable").Reason);
        Assert.DoesNotContain(rows, q => q.Code == "non_positive_price");
        Assert.Equal(before.Bars + 1, (await CountsAsync(cs)).Bars);   // only the first copy of the twice-sent bar
        Assert.Equal(4001.0, await Sql.ScalarAsync<double>(cs, "SELECT close FROM usdcop_m5_ohlcv WHERE time = @t", ("t", t0)));
    }

    [Fact]
    public async Task A_directory_or_a_gz_that_is_not_gzip_is_named_as_such()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_files");
        var first = await WriteBarsAsync("first.csv", Days[..1]);
        Assert.Equal(0, (await CopAsync(["ingest", "--file", first], cs)).ExitCode);
        var before = await CountsAsync(cs);

        var dir = Directory.CreateDirectory(Path.Combine(_home, "bars.csv.gz")).FullName;
        var r = await CopAsync(["ingest", "--file", dir], cs);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{dir} is a directory", r.Fatal);

        var fake = Path.Combine(_home, "plain.csv.gz");
        File.Copy(first, fake);
        r = await CopAsync(["ingest", "--file", fake], cs);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("plain.csv.gz is not a gzip archive", r.Fatal);
        Assert.Equal(before, await CountsAsync(cs));
    }

    // ---- cop run ----------------------------------------------------------------------------

    [Fact]
    public async Task Cop_run_on_a_taken_port_or_a_bad_url_says_so_before_starting_anything()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_run", migrate: false);
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var r = await CopAsync(["run"], cs, ("COP_HTTP_URLS", $"http://127.0.0.1:{port}"), ("COP_REDIS", "127.0.0.1:1"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"cop.http.urls (COP_HTTP_URLS) = 'http://127.0.0.1:{port}': cannot listen on 127.0.0.1:{port}", r.Fatal);
        Assert.DoesNotContain("Cop is running", r.Output);

        r = await CopAsync(["run"], cs, ("COP_HTTP_URLS", "not-a-url"), ("COP_REDIS", "127.0.0.1:1"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("cop.http.urls (COP_HTTP_URLS) = 'not-a-url' is not an http(s) URL", r.Fatal);
        Assert.False(await SchemaExistsAsync(cs), "cop run migrated and started before checking its HTTP settings");
    }

    // ---- the other commands -----------------------------------------------------------------

    [Fact]
    public async Task Models_register_of_a_directory_or_with_norm_stats_that_are_not_json_is_one_line()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_models");
        var r = await CopAsync(["models", "register", _home], cs);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"model file {_home} is a directory", r.Fatal);

        var stats = Path.Combine(_home, "stats.json");
        await File.WriteAllTextAsync(stats, "not json\n");
        r = await CopAsync(["models", "register", Path.Combine(_home, "m.onnx"), "--norm-stats", stats], cs);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--norm-stats {stats}: norm_stats is not JSON", r.Fatal);

        r = await CopAsync(["models", "register", Path.Combine(_home, "m.onnx"), "--norm-stats", _home], cs);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--norm-stats {_home} is a directory", r.Fatal);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM model_registry"));
    }

    [Fact]
    public async Task An_unreachable_database_is_named_with_its_host_and_port()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { probe.Start(); port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port; }
        var r = await CopAsync(["models", "list"], $"postgres://cop:secret@127.0.0.1:{port}/cop");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"the database at 127.0.0.1:{port} (database cop", r.Fatal);
        Assert.Contains("is unreachable", r.Fatal);
        Assert.DoesNotContain("migration ?", r.Output);
        Assert.DoesNotContain("secret", r.Output);
    }

    [Fact]
    public async Task Preflight_and_migrate_reject_bad_numbers_naming_the_option()
    {
        var cs = await SharedPostgres.NewDatabaseAsync("hostile_opts");
        var applied = await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM public.schemaversions");

        var r = await CopAsync(["preflight", "--events", "-5"], cs);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--events must be a positive number of events, not -5", r.Fatal);
        Assert.DoesNotContain("sent -5", r.Output);

        r = await CopAsync(["migrate", "--rollback", "--keep-through", "abc"], cs);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--keep-through 'abc' is not a migration number", r.Fatal);
        Assert.Equal(applied, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM public.schemaversions"));
    }

    // ---- helpers ----------------------------------------------------------------------------

    private const string Header = "time,symbol,open,high,low,close,volume,source";

    /// <summary>Ordinary Colombian trading days (no holiday), 60 session bars each.</summary>
    private static readonly DateTime[] Days = [.. new[] { 2, 3, 4, 5, 8, 9, 10 }.Select(d => new DateTime(2024, 7, d, 0, 0, 0, DateTimeKind.Utc))];

    private static string Line(DateTime utc, double open) => string.Create(CultureInfo.InvariantCulture,
        $"{utc:yyyy-MM-dd HH:mm:ss}+00:00,USD/COP,{open},{open + 2},{open - 1},{open + 1},0,test");

    /// <summary>60 bars per day, 13:00-17:55 UTC, a gentle deterministic walk; .gz names compress.</summary>
    private async Task<string> WriteBarsAsync(string name, IEnumerable<DateTime> days)
    {
        var path = Path.Combine(_home, name);
        var text = new StringBuilder().AppendLine(Header);
        var price = 4000.0;
        foreach (var day in days)
            for (var i = 0; i < 60; i++, price += (i % 7 - 3) * 0.25)
                text.AppendLine(Line(day.AddHours(13).AddMinutes(5 * i), Math.Round(price, 2)));
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        if (name.EndsWith(".gz"))
        {
            await using var file = File.Create(path);
            await using var gz = new GZipStream(file, CompressionLevel.Optimal);
            await gz.WriteAsync(bytes);
        }
        else await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    private sealed record Counts(long Bars, long Quarantined, long Repairs);

    private static async Task<Counts> CountsAsync(string cs) => new(
        await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM usdcop_m5_ohlcv"),
        await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM quarantine"),
        await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM bar_repairs"));

    private static async Task<List<(string Code, string Reason, string Raw)>> QuarantineAsync(string cs, string source)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT coalesce(reason_code, ''), reason, raw_payload FROM quarantine WHERE source = @s ORDER BY id", conn);
        cmd.Parameters.AddWithValue("s", source);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, string, string)>();
        while (await r.ReadAsync()) rows.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        return rows;
    }

    private static Task<bool> SchemaExistsAsync(string cs) =>
        Sql.ScalarAsync<bool>(cs, "SELECT to_regclass('public.schemaversions') IS NOT NULL");

    private Task<CopProcess.Result> CopAsync(string[] args, string database, params (string Name, string Value)[] env) =>
        CopProcess.RunAsync(_home, database, args, output, env);
}
