using Microsoft.Extensions.Diagnostics.HealthChecks;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Health;

/// <summary>
/// Not ready while the store cannot be written: the last write failed as an outage (a full disk, a replica set without
/// a majority, an unreachable server) and none has succeeded since. The store's own check only proves it can be read,
/// and a full SQLite file or a MongoDB primary that lost its majority still answers reads.
/// </summary>
public sealed class StoreWritesHealthCheck(MilestonesTelemetry telemetry, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (telemetry.StoreOutageSince is not { } since)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The store takes writes"));
        }
        var failure = telemetry.StoreOutageFailure;
        var seconds = Math.Max(0, (time.GetUtcNow() - since).TotalSeconds);
        // The exception's type only: its message may quote a connection string or a path.
        return Task.FromResult(HealthCheckResult.Unhealthy(
            $"The store cannot be written for {seconds:0} s ({failure?.GetType().Name ?? "outage"}); messages are held and retried"));
    }
}
