using System.Text.RegularExpressions;

namespace Cop.Tests.Host;

/// <summary>SQL lives in persistence/ and db-migrations/ only: host/ wires and prints, it sends no
/// statement of its own (a command that needs figures asks a store).</summary>
public class HostSqlTests
{
    // A command object, or a string literal holding a statement (an executed one, or one printed for
    // the operator to run: both belong to the store that owns the table).
    private static readonly Regex Sql = new("""
        NpgsqlCommand|\.CreateCommand\(|\.CreateBatch\(|"[^"]*\b(SELECT\s[^"]*\bFROM\b|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\S+\s+SET|(DROP|CREATE|ALTER|TRUNCATE)\s+(DATABASE|TABLE|INDEX|SCHEMA|ROLE)|LISTEN\s|pg_notify)
        """, RegexOptions.Compiled);

    [Fact]
    public void Host_sources_hold_no_SQL()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Cop.Actors.sln"))) root = Path.GetDirectoryName(root)!;
        var host = Path.Combine(root, "host");
        var files = Directory.GetFiles(host, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")).ToList();
        Assert.NotEmpty(files);
        var found = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => !x.line.TrimStart().StartsWith("//") && Sql.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(root, x.f)}:{x.i + 1}: {x.line.Trim()}").ToList();
        Assert.True(found.Count == 0, "SQL under host/ (move it to a store in persistence/):\n" + string.Join("\n", found));
    }
}
