using Cop.Tests.Infrastructure;

namespace Cop.Tests.Streams;

/// <summary>The Streams tests that need PostgreSQL: one after another within the layer, on the cluster
/// shared with the other layers (<see cref="PostgresFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class StreamsCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Streams on PostgreSQL";
}
