using Cop.Tests.Infrastructure;

namespace Cop.Tests.Persistence;

/// <summary>The Persistence tests that need PostgreSQL: one after another within the layer, on the cluster
/// shared with the other layers (<see cref="PostgresFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class PersistenceCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Persistence on PostgreSQL";
}
