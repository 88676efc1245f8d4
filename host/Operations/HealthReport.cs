
namespace Cop.Host.Operations;

/// <summary>healthy / degraded / unhealthy, ordered so the worst component decides.</summary>
public enum HealthStatus { Healthy, Degraded, Unhealthy }

/// <summary>One component of /health: its status and what an operator needs to see about it.</summary>
public sealed record ComponentHealth(
    HealthStatus Status,
    string Detail,
    object? Data = null);

/// <summary>/health's body: the overall status is the worst component's; HTTP 200 for healthy and
/// degraded (Cop is deciding bars, something needs a look), 503 for unhealthy (it is not).</summary>
public sealed record HealthReport(
    HealthStatus Status,
    IReadOnlyDictionary<string, ComponentHealth> Components,
    string Database)
{
    public static HealthReport Of(IReadOnlyDictionary<string, ComponentHealth> components, string database) =>
        new(components.Count == 0 ? HealthStatus.Unhealthy : components.Values.Max(c => c.Status), components, database);

    public int HttpStatus => Status == HealthStatus.Unhealthy ? 503 : 200;
}
