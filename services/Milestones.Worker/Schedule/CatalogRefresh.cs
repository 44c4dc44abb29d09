using Microsoft.Extensions.Options;
using Milestones.Domain.Catalog;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Schedule;

/// <summary>
/// Puts in force, at start and every <c>Catalog:RefreshInterval</c>, the registrations the store holds, so that the query API and
/// validation on this replica see a project registered (or amended) through another replica without a restart. The
/// recorder also reads the store before refusing an input for a catalog reason; this covers the reads.
/// </summary>
public sealed partial class CatalogRefresh(
    ProjectCatalog catalog, IProjectStore store, TimeProvider time, IOptions<CatalogOptions> options, ILogger<CatalogRefresh> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        // At start too: a replica started after a registration serves it from its first request on.
        do
        {
            try
            {
                await Refresh(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogRefreshFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>When the stored registrations were last read, by this service's clock; null before the first read (at start) is done.</summary>
    public DateTimeOffset? LastRefreshed { get; private set; }

    /// <summary>Reads the stored registrations and puts each newer one in force; returns how many it put in force.</summary>
    public async Task<int> Refresh(CancellationToken cancellationToken)
    {
        var read = time.GetUtcNow();
        var put = PutInForce(catalog, await store.ListProjects(cancellationToken));
        LastRefreshed = read;
        foreach (var registration in put)
        {
            LogPutInForce(registration.ProjectId, registration.Revision, registration.RegisteredBy);
        }
        return put.Count;
    }

    /// <summary>Registers each stored registration whose revision is higher than the one in force; returns those.</summary>
    public static IReadOnlyList<ProjectRegistration> PutInForce(ProjectCatalog catalog, IEnumerable<ProjectSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(snapshots);
        return snapshots.Select(s => s.State.Registration).OfType<ProjectRegistration>().Where(catalog.Register).ToList();
    }

    [LoggerMessage(LogLevel.Information, "Catalog entry of project {ProjectId} at revision {Revision} (registered by {RegisteredBy}) is now in force here")]
    partial void LogPutInForce(string projectId, int revision, string registeredBy);

    [LoggerMessage(LogLevel.Warning, "Could not read the stored registrations; the next refresh tries again")]
    partial void LogRefreshFailed(Exception exception);
}
