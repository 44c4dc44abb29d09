using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// Ready only while MongoDB answers a ping within <see cref="MongoDbOptions.HealthCheckTimeout"/> and the startup
/// indexes exist. The description names hosts and database only, never the connection string.
/// </summary>
public sealed class MongoStoreHealthCheck(MongoMilestoneStore store, MongoStoreReadiness readiness, IOptions<MongoDbOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var target = MongoDbClientSettings.Describe(settings);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.HealthCheckTimeout);
        try
        {
            await store.Ping(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"MongoDB at {target} did not answer within {settings.HealthCheckTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"MongoDB at {target} cannot be reached: {ex.GetType().Name}");
        }
        return readiness.IndexesReady
            ? HealthCheckResult.Healthy($"MongoDB at {target}")
            : HealthCheckResult.Unhealthy($"MongoDB at {target} answers, but the indexes are not created yet");
    }
}
