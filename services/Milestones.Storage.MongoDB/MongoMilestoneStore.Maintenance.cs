using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB.Documents;
using MongoDB.Driver;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// The operations port (<see cref="IStoreMaintenance"/>) on MongoDB, with the same classic CRUD as the rest of the
/// store (<see cref="MongoMaintenanceProtocol"/>): finds with a projection and a sort, one version-checked
/// <c>updateOne</c> or <c>insert</c> per repaired project, one conditional <c>updateOne</c> per released lease.
/// Leases are per project here, so releasing an entry's lease releases its project's.
/// </summary>
public sealed partial class MongoMilestoneStore
{
    public async Task<IReadOnlyList<string>> ListProjectsWithEvents(CancellationToken cancellationToken)
    {
        var ids = await events.Find(MongoMaintenanceProtocol.AppliedEvents)
            .Project<ProjectIdOnlyDocument>(MongoMaintenanceProtocol.ProjectIdOnly)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return ids.Select(d => d.ProjectId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<EventRecord>> ReadEventsInRecordedOrder(string projectId, CancellationToken cancellationToken)
    {
        var documents = await events.Find(MongoStoreProtocol.ProjectEvents(projectId))
            .Sort(MongoMaintenanceProtocol.RecordedOrder)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        // Stable: the server's order by recordedAt and id, with a project's retraction first among the events recorded at
        // the same instant (the recorder writes a retraction as the first input of its project in a round).
        return documents.Select(d => d.ToRecord())
            .OrderBy(e => e.RecordedAt.UtcTicks)
            .ThenBy(e => e.IsRetraction ? 0 : 1)
            .ToList();
    }

    public async Task<bool> ReplaceState(ProjectState state, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        var now = time.GetUtcNow();
        if (expectedVersion == 0)
        {
            return await commands.InsertProject(MongoMaintenanceProtocol.NewProject(state, now), cancellationToken).ConfigureAwait(false);
        }
        return await commands.UpdateProject(
            MongoStoreProtocol.AtVersion(state.ProjectId, expectedVersion), MongoMaintenanceProtocol.ReplaceState(state, now), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Null: a published entry is pulled from its project's document, so what was sent is not kept here.</summary>
    public Task<IReadOnlySet<Guid>?> ReadEnqueuedMessageIds(string projectId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<Guid>?>(null);

    public async Task<IReadOnlyList<PendingOutboxEntry>> ListPendingOutbox(CancellationToken cancellationToken)
    {
        var pending = await projects.Find(MongoStoreProtocol.HasPendingEntries)
            .Sort(MongoStoreProtocol.OldestPendingFirst)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return pending
            .SelectMany(d => d.Outbox.Select(e => PendingOutboxEntry.From(e.ToDomain(d.Id), d.LeaseOwner,
                d.LeaseUntil is { } until ? new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc)) : null)))
            .OrderBy(e => e.EnqueuedAt)
            .ThenBy(e => e.MessageId)
            .ToList();
    }

    public async Task<bool> ReleaseLease(PendingOutboxEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.LeaseOwner is null || entry.LeaseUntil is null)
        {
            return false;
        }
        var result = await projects.UpdateOneAsync(
            MongoMaintenanceProtocol.LeaseAsListed(entry.ProjectId, entry.LeaseOwner, entry.LeaseUntil.Value.UtcDateTime),
            MongoMaintenanceProtocol.ReleaseLease, cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.ModifiedCount == 1;
    }

    /// <summary>What <see cref="MongoMaintenanceProtocol.ProjectIdOnly"/> returns of an event.</summary>
    [global::MongoDB.Bson.Serialization.Attributes.BsonIgnoreExtraElements]
    sealed class ProjectIdOnlyDocument
    {
        [global::MongoDB.Bson.Serialization.Attributes.BsonElement(EventDocument.ProjectIdField)]
        public string ProjectId { get; init; } = string.Empty;
    }
}
