using Cop.Tests.Infrastructure;

namespace Cop.Tests.Actors;

/// <summary>The Actors tests that need PostgreSQL: one after another within the layer, on the cluster
/// shared with the other layers (<see cref="PostgresFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class ActorsCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Actors on PostgreSQL";
}
