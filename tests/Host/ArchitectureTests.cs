using System.Reflection;

namespace Cop.Tests.Host;

/// <summary>The trading domain (actors/Trading, namespace Cop.Trading) is plain C#: every path
/// (live, replay, dataset, backtest) calls the same functions, so it must not depend on Akka or
/// Npgsql. Checked on the compiled types, not on file text.</summary>
public class ArchitectureTests
{
    [Fact]
    public void Trading_domain_references_neither_Akka_nor_Npgsql()
    {
        var types = typeof(Cop.Trading.TradingSession).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("Cop.Trading") == true).ToList();
        Assert.NotEmpty(types);
        foreach (var t in types)
        {
            var used = t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance).Select(f => f.FieldType)
                .Concat(t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)))
                .Concat(t.GetInterfaces()).Append(t.BaseType ?? typeof(object));
            foreach (var u in used)
                Assert.False(u.Namespace is { } ns && (ns.StartsWith("Akka") || ns.StartsWith("Npgsql")),
                    $"{t.FullName} uses {u.FullName}");
        }
    }

    [Fact]
    public void Trading_is_an_assembly_of_its_own_that_references_only_the_base_library()
    {
        var trading = typeof(Cop.Trading.TradingSession).Assembly;
        Assert.Equal("Cop.Trading", trading.GetName().Name);
        var referenced = trading.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(referenced, name => Assert.True(name.StartsWith("System") || name is "netstandard" or "mscorlib",
            $"Cop.Trading references {name}: the domain must stay plain C#"));
    }

    [Fact]
    public void Trading_sources_do_not_import_Akka_or_Npgsql()
    {
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "db-migrations"))) root = Path.GetDirectoryName(root)!;
        var files = Directory.GetFiles(Path.Combine(root, "actors", "Trading"), "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var f in files)
            foreach (var line in File.ReadLines(f))
                Assert.False(line.TrimStart().StartsWith("using Akka") || line.TrimStart().StartsWith("using Npgsql"),
                    $"{f}: {line}");
    }

    /// <summary>The domain's and the entities' files hold one public type each, named after it (a
    /// protocol nested in its actor is part of the actor), so a type is found by its name.</summary>
    [Fact]
    public void Domain_and_entity_files_hold_one_public_type_named_after_it()
    {
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "db-migrations"))) root = Path.GetDirectoryName(root)!;
        var declaration = new System.Text.RegularExpressions.Regex(
            @"^public (?:(?:sealed|static|readonly|abstract|partial) )*(?:record struct|record|class|struct|enum|interface) (\w+)");
        var files = new[] { "Trading", "Models", "Macro", "Learning" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(root, "actors", d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToList();
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var types = File.ReadLines(f).Select(l => declaration.Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
            Assert.True(types.Count <= 1, $"{f} holds {string.Join(", ", types)}");
            if (types.Count == 1) Assert.Equal(Path.GetFileNameWithoutExtension(f), types[0]);
        }
    }

    /// <summary>One composition root: nothing creates an actor system but Akka.Hosting through
    /// AddCop (host/Composition) and the TestKit. A second way of starting Cop is a second wiring.</summary>
    [Fact]
    public void Only_the_composition_root_starts_an_actor_system()
    {
        var root = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(root, "db-migrations"))) root = Path.GetDirectoryName(root)!;
        var offenders = new[] { "actors", "streams", "persistence", "host", "tests" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => f != Path.Combine(root, "tests", "Host", "ArchitectureTests.cs"))
            .Where(f => File.ReadAllText(f).Contains("ActorSystem.Create("))
            .Select(f => Path.GetRelativePath(root, f)).ToList();
        Assert.True(offenders.Count == 0, $"ActorSystem.Create outside AddCop: {string.Join(", ", offenders)}");
    }

    /// <summary>Learning (PPO, the trading environment) is plain C# over the domain: it references
    /// Cop.Trading and the base library (System.Numerics.Tensors included) and nothing else.</summary>
    [Fact]
    public void Learning_references_only_the_trading_domain_and_the_base_library()
    {
        var learning = typeof(Cop.Learning.PpoTrainer).Assembly;
        Assert.Equal("Cop.Learning", learning.GetName().Name);
        var referenced = learning.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Cop.Trading", referenced);
        Assert.All(referenced, name => Assert.True(name == "Cop.Trading" || name.StartsWith("System") || name is "netstandard" or "mscorlib",
            $"Cop.Learning references {name}: learning may use only Cop.Trading and System.*"));
    }

    /// <summary>The layers, on the compiled assemblies: each references only the ones below it.</summary>
    [Theory]
    [InlineData("Cop.Actors", new[] { "Cop.Streams", "Cop.Persistence", "Cop.Host", "Npgsql", "StackExchange.Redis" })]
    [InlineData("Cop.Streams", new[] { "Cop.Persistence", "Cop.Host", "Npgsql", "StackExchange.Redis" })]
    [InlineData("Cop.Persistence", new[] { "Cop.Host" })]
    [InlineData("Cop.Learning", new[] { "Cop.Actors", "Cop.Streams", "Cop.Persistence", "Cop.Host", "Npgsql", "StackExchange.Redis", "Akka" })]
    public void Each_layer_references_only_the_layers_below_it(string layer, string[] forbidden)
    {
        var assembly = Assembly.Load(layer);
        var referenced = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToHashSet();
        foreach (var name in forbidden) Assert.DoesNotContain(name, referenced);
    }
}
