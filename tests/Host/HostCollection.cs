using Cop.Tests.Infrastructure;

namespace Cop.Tests.Host;

/// <summary>The Host tests that need PostgreSQL: one after another within the layer, on the cluster
/// shared with the other layers (<see cref="PostgresFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Host on PostgreSQL";
}
