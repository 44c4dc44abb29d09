using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Milestones.Worker.Health;

/// <summary>
/// The startup probe: healthy once the worker has finished starting. The catalog is loaded and validated before the
/// host is built (a broken catalog stops the process); the store is opened, its schema created, when the hosted
/// services are constructed; the host reports started only after every hosted service has started, the bus among them.
/// A bus still connecting to the broker counts as started: the broker's absence is readiness's business, and a startup
/// probe that waited for it would have Kubernetes restart healthy pods for as long as the broker is away. A bus whose
/// start faulted does not count.
/// </summary>
public sealed class StartupHealthCheck(IHostApplicationLifetime lifetime, BusStartObserver bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = (lifetime.ApplicationStarted.IsCancellationRequested, bus.State) switch
        {
            (false, _) => HealthCheckResult.Unhealthy("The host is still starting"),
            (true, BusStartState.Faulted) => HealthCheckResult.Unhealthy("The bus failed to start"),
            (true, BusStartState.NotStarted) => HealthCheckResult.Unhealthy("The bus has not started"),
            (true, BusStartState.Starting) => HealthCheckResult.Healthy("Catalog loaded, store opened, bus started and connecting to the broker"),
            _ => HealthCheckResult.Healthy($"Catalog loaded, store opened, bus {bus.State.ToString().ToLowerInvariant()}"),
        };
        return Task.FromResult(result);
    }
}
