namespace Cop.Actors.Projections;

/// <summary>The stored offset moved under a projection (a rebuild, a second instance): it starts again from the stored one.</summary>
public sealed class ProjectionMovedException(string projection, long expected, long stored)
    : Exception($"projection {projection}: stored offset is {stored}, not {expected} (rebuilt or run elsewhere); starting again from the stored one");
