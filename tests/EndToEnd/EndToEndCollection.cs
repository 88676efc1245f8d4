using Cop.Tests.Infrastructure;

namespace Cop.Tests.EndToEnd;

/// <summary>The EndToEnd tests that need PostgreSQL: one after another within the layer, on the cluster
/// shared with the other layers (<see cref="PostgresFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "EndToEnd on PostgreSQL";
}
