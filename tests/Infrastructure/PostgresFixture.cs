using Cop.Persistence.Servers;

namespace Cop.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL cluster (the same launcher `cop` uses) for the test classes that need one,
/// owned by xUnit: each layer's collection (e.g. <c>[Collection(PersistenceCollection.Name)]</c>)
/// declares this fixture, and the collections share one cluster, started when the first of them
/// begins and stopped when the last ends. Layers still run in parallel with each other; each test
/// makes its own database on it (<see cref="SharedPostgres.NewDatabaseAsync"/>).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static EmbeddedPostgres? _cluster;
    private static string? _dir;
    private static int _collections;

    internal static EmbeddedPostgres Cluster => Volatile.Read(ref _cluster) ?? throw new InvalidOperationException(
        "no PostgreSQL for this test: put its class in a collection that declares PostgresFixture, e.g. [Collection(PersistenceCollection.Name)]");

    public async Task InitializeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_collections == 0)
            {
                // A fresh directory per start: a cluster stopped between two collections is not reused.
                _dir = Path.Combine(Path.GetTempPath(), $"cop-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
                Volatile.Write(ref _cluster, await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = _dir, Durable = false }));
            }
            _collections++;
        }
        finally { Gate.Release(); }
    }

    public async Task DisposeAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (--_collections > 0 || _cluster is null) return;
            await _cluster.DisposeAsync();
            Volatile.Write(ref _cluster, null);
            try { Directory.Delete(_dir!, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        finally { Gate.Release(); }
    }
}
