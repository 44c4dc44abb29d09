using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Milestones.Storage.Sqlite;

/// <summary>Ready only while the embedded store's file can be opened and read.</summary>
public sealed class SqliteStoreHealthCheck(SqliteMilestoneStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.Ping(cancellationToken);
            return HealthCheckResult.Healthy($"SQLite store at {store.Path}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The SQLite store cannot be read", ex);
        }
    }
}
