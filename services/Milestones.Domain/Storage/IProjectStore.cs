using Milestones.Domain.Projects;

namespace Milestones.Domain.Storage;

/// <summary>
/// The storage port for project state and the event record.
/// <para>
/// It is shaped so that a store without multi-document transactions can keep the guarantees. <see cref="Commit"/>
/// takes a batch: for each project it touches, one <see cref="ProjectCommit"/> with the project's new events, the
/// version its new state was computed from, the new state and the outbox entries of that change. Each project's commit
/// is all or nothing on its own, whatever happens to the others of the batch. A store may make the batch durable in
/// one transaction (SQLite) or as one insert of the events, each refused on its own by a unique index, followed by one
/// atomic, version-checked update per project that also carries its pending outbox entries (MongoDB). Because applying
/// an event is a merge, re-applying an event whose record was written before a crash is harmless.
/// </para>
/// </summary>
public interface IProjectStore
{
    /// <summary>The states and versions of those of <paramref name="projectIds"/> that have recorded state.</summary>
    Task<IReadOnlyList<ProjectSnapshot>> LoadProjects(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken);

    /// <summary>
    /// Makes each commit of the batch durable, or nothing of it; returns one result per commit, in order. A call returns
    /// only once every commit it reports <see cref="CommitResult.Committed"/> is durable; if it throws, the caller knows
    /// nothing about the batch (some commits may be durable) and retries it: an event already applied is then reported
    /// as existing, and its project's state already holds it.
    /// </summary>
    Task<IReadOnlyList<CommitResult>> Commit(IReadOnlyList<ProjectCommit> commits, CancellationToken cancellationToken);

    /// <summary>Every project with recorded state.</summary>
    Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken);

    /// <summary>
    /// One page of a project's recorded events (reports and retractions), in the order of <see cref="TimelinePosition"/>
    /// or its reverse: a keyset query, so every page costs the same however deep into the timeline it starts, and pages
    /// read one after another while events are added lose none of the events that were there when reading began.
    /// An unknown project has an empty timeline.
    /// </summary>
    Task<TimelinePage> GetTimeline(string projectId, TimelineQuery query, CancellationToken cancellationToken);
}

/// <summary>Single-project conveniences over <see cref="IProjectStore"/>.</summary>
public static class ProjectStoreExtensions
{
    /// <summary>The project's state and version, or null if nothing was ever recorded for it.</summary>
    public static async Task<ProjectSnapshot?> LoadProject(this IProjectStore store, string projectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var loaded = await store.LoadProjects([projectId], cancellationToken).ConfigureAwait(false);
        return loaded.Count == 0 ? null : loaded[0];
    }

    /// <summary>Size of the pages <see cref="GetTimeline(IProjectStore, string, int, CancellationToken)"/> reads.</summary>
    public const int TimelineReadPage = 1_000;

    /// <summary>
    /// The first <paramref name="limit"/> events of a project's timeline, oldest first, read page by page;
    /// <see cref="int.MaxValue"/> reads all of it (the recorder does, to recompute a milestone after a retraction).
    /// </summary>
    public static async Task<IReadOnlyList<EventRecord>> GetTimeline(this IProjectStore store, string projectId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var events = new List<EventRecord>();
        TimelinePosition? after = null;
        while (events.Count < limit)
        {
            var query = new TimelineQuery(TimelineOrder.OldestFirst, Math.Min(limit - events.Count, TimelineReadPage), after);
            var page = await store.GetTimeline(projectId, query, cancellationToken).ConfigureAwait(false);
            events.AddRange(page.Events);
            if (page.Next is not { } next)
            {
                break;
            }
            after = next;
        }
        return events;
    }

    /// <summary>A batch of one commit.</summary>
    public static async Task<CommitResult> Commit(this IProjectStore store, ProjectCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (await store.Commit([commit], cancellationToken).ConfigureAwait(false))[0];
    }
}

/// <summary>A project's state with the version that guards the next write (optimistic concurrency).</summary>
public sealed record ProjectSnapshot(ProjectState State, long Version);

/// <summary>One project's part of a batch: its new events and what they did to it, written all or nothing.</summary>
/// <param name="Events">The events to record, in the order they were applied; each id is unique across the store.</param>
/// <param name="ExpectedVersion">The version the new state was computed from; 0 when the project had no state.</param>
/// <param name="State">The state after the events.</param>
/// <param name="Outbox">Messages to publish because of this change, such as a completion.</param>
public sealed record ProjectCommit(IReadOnlyList<EventRecord> Events, long ExpectedVersion, ProjectState State, IReadOnlyList<OutboxEntry> Outbox)
{
    public string ProjectId => State.ProjectId;

    /// <summary>A commit of one event.</summary>
    public static ProjectCommit Of(EventRecord e, long expectedVersion, ProjectState state, IReadOnlyList<OutboxEntry>? outbox = null) =>
        new([e], expectedVersion, state, outbox ?? []);
}

/// <summary>What one project's commit did.</summary>
public abstract record CommitResult
{
    CommitResult()
    {
    }

    /// <summary>Everything was made durable; the project is now at <paramref name="Version"/>.</summary>
    public sealed record Committed(long Version) : CommitResult;

    /// <summary>The project moved on since it was loaded; nothing of this commit was written. Load again and retry.</summary>
    public sealed record VersionConflict : CommitResult;

    /// <summary>
    /// Some of the commit's events are already recorded (the stored fingerprint of each, by event id); nothing of this
    /// commit was written. The others may be committed again without them.
    /// </summary>
    public sealed record EventsExist(IReadOnlyDictionary<Guid, string> Fingerprints) : CommitResult;
}

/// <summary>
/// An event as stored in a project's timeline: a milestone report, or a retraction when <see cref="RetractedEventId"/>
/// is set. A retraction's <see cref="Note"/> is its reason, its <see cref="OccurredAt"/> and <see cref="ReportedAt"/> the
/// time it was withdrawn, and its <see cref="MilestoneCode"/> the code of the report it withdraws (empty when that report
/// was not recorded yet).
/// </summary>
public sealed record EventRecord(
    Guid EventId,
    string ProjectId,
    string MilestoneCode,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReportedAt,
    string SourceSystem,
    string? Note,
    string? EvidenceUrl,
    string Fingerprint,
    DateTimeOffset RecordedAt,
    Guid? RetractedEventId = null)
{
    public bool IsRetraction => RetractedEventId is not null;

    /// <param name="fingerprint">The event's fingerprint when the caller has it already (a digest of the whole event).</param>
    public static EventRecord From(MilestoneEvent e, DateTimeOffset recordedAt, string? fingerprint = null) =>
        new(e.EventId, e.ProjectId, e.MilestoneCode, e.OccurredAt, e.ReportedAt, e.SourceSystem, e.Note, e.EvidenceUrl,
            fingerprint ?? e.Fingerprint, recordedAt);

    public static EventRecord From(Retraction r, string retractedMilestoneCode, DateTimeOffset recordedAt) =>
        new(r.EventId, r.ProjectId, retractedMilestoneCode, r.RetractedAt, r.RetractedAt, r.SourceSystem, r.Reason, null,
            r.Fingerprint, recordedAt, r.RetractedEventId);

    /// <summary>The report as a reached milestone (for recomputing a milestone after a retraction).</summary>
    public ReachedMilestone ToReached() => new(MilestoneCode, OccurredAt, EventId, SourceSystem, ReportedAt);
}
