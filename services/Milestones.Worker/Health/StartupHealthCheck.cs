using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Milestones.Worker.Health;

/// <summary>
/// The startup probe: healthy once the worker has finished starting. The catalog is loaded and validated before the
/// host is built (a broken catalog stops the process); the store is opened, its schema created, when the hosted
/// services are constructed; the host reports started only after every hosted service, the bus among them, has
/// started; and the bus itself must have reported that it started.
/// </summary>
public sealed class StartupHealthCheck(IHostApplicationLifetime lifetime, BusStartObserver bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = (lifetime.ApplicationStarted.IsCancellationRequested, bus.Started) switch
        {
            (false, _) => HealthCheckResult.Unhealthy("The host is still starting"),
            (true, false) => HealthCheckResult.Unhealthy("The bus has not started"),
            _ => HealthCheckResult.Healthy("Catalog loaded, store opened, bus started"),
        };
        return Task.FromResult(result);
    }
}
