using Milestones.Domain.Projects;

namespace Milestones.Domain.Storage;

/// <summary>
/// What the operations tools (the worker's <c>rebuild</c> and <c>outbox</c> commands) need from a store, beside the
/// recording path: read the event record as it was written, put a recomputed state back under the version check, and
/// look at and release the outbox's leases. Nothing here writes an event or an outbox entry.
/// </summary>
public interface IStoreMaintenance
{
    /// <summary>Every project that has at least one recorded event, in id order.</summary>
    Task<IReadOnlyList<string>> ListProjectsWithEvents(CancellationToken cancellationToken);

    /// <summary>A project's recorded events (reports and retractions) in the order they were recorded.</summary>
    Task<IReadOnlyList<EventRecord>> ReadEventsInRecordedOrder(string projectId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="state"/> as the project's state if it is still at <paramref name="expectedVersion"/> (0: the
    /// project has no state row yet), moving it to the next version; its pending outbox entries are left as they are and
    /// none is added. False when the project moved on (or was created) meanwhile: nothing was written.
    /// </summary>
    Task<bool> ReplaceState(ProjectState state, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// The message ids of every announcement ever enqueued for the project, published or not; null when the store does
    /// not keep published entries (MongoDB removes an entry once it is sent), so only the pending ones are known.
    /// </summary>
    Task<IReadOnlySet<Guid>?> ReadEnqueuedMessageIds(string projectId, CancellationToken cancellationToken);

    /// <summary>Every outbox entry not yet published, oldest first, with its lease.</summary>
    Task<IReadOnlyList<PendingOutboxEntry>> ListPendingOutbox(CancellationToken cancellationToken);

    /// <summary>
    /// Releases the lease of the entry <paramref name="entry"/> describes, only if it is still held by the same owner
    /// until the same time (so a lease taken again meanwhile is left alone); the next dispatcher pass may then claim
    /// it. True when it was released. A store that leases whole projects (MongoDB) releases the project's lease.
    /// </summary>
    Task<bool> ReleaseLease(PendingOutboxEntry entry, CancellationToken cancellationToken);
}

/// <summary>An outbox entry waiting to be published.</summary>
/// <param name="MessageId">Its deterministic transport message id.</param>
/// <param name="ProjectId">The project it announces.</param>
/// <param name="Kind"><c>completed</c>, <c>reopened</c>, <c>target-met</c>, <c>overdue</c> or <c>recorded</c> (the event feed).</param>
/// <param name="Number">The completion, reopening or target-met number; 0 for the others.</param>
/// <param name="EnqueuedAt">When the state change that produced it was committed.</param>
/// <param name="LeaseOwner">The dispatcher that claimed it, if any.</param>
/// <param name="LeaseUntil">Until when that claim holds.</param>
public sealed record PendingOutboxEntry(
    Guid MessageId, string ProjectId, string Kind, int Number, DateTimeOffset EnqueuedAt, string? LeaseOwner, DateTimeOffset? LeaseUntil)
{
    public const string Completed = "completed";
    public const string Reopened = "reopened";
    public const string TargetMet = "target-met";
    public const string Overdue = "overdue";
    public const string Recorded = "recorded";

    public static PendingOutboxEntry From(OutboxEntry entry, string? leaseOwner, DateTimeOffset? leaseUntil)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var (kind, number) = entry.Message switch
        {
            ProjectReopening r => (Reopened, r.ReopenNumber),
            ProjectCompletion c => (Completed, c.CompletionNumber),
            TargetAchievement t => (TargetMet, t.Number),
            OverdueNotice => (Overdue, 0),
            EventRecordedNotice => (Recorded, 0),
            _ => ("unknown", 0),
        };
        return new(entry.MessageId, entry.ProjectId, kind, number, entry.EnqueuedAt, leaseOwner, leaseUntil);
    }
}
