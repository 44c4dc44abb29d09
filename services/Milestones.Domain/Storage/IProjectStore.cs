using Milestones.Domain.Projects;

namespace Milestones.Domain.Storage;

/// <summary>
/// The storage port for project state and the event record.
/// <para>
/// It is shaped so that a store without multi-document transactions can keep the guarantees:
/// <see cref="Commit"/> carries the event, the expected version of the project, the new state and the outbox
/// entries of that state change together. A store may make them durable in one transaction (SQLite) or as an
/// idempotent event insert followed by one atomic, version-checked update of the project document that embeds
/// its pending outbox entries (MongoDB). Because applying an event is a merge, re-applying an event whose
/// record was written before a crash is harmless.
/// </para>
/// </summary>
public interface IProjectStore
{
    /// <summary>The project's state and version, or null if nothing was ever recorded for it.</summary>
    Task<ProjectSnapshot?> LoadProject(string projectId, CancellationToken cancellationToken);

    /// <summary>Makes the event record, the state change and its outbox entries durable, or none of them.</summary>
    Task<CommitResult> Commit(ProjectCommit commit, CancellationToken cancellationToken);

    /// <summary>Every project with recorded state.</summary>
    Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken);

    /// <summary>A project's recorded events, ordered by when they happened (then by when they were recorded).</summary>
    Task<IReadOnlyList<EventRecord>> GetTimeline(string projectId, int limit, CancellationToken cancellationToken);
}

/// <summary>A project's state with the version that guards the next write (optimistic concurrency).</summary>
public sealed record ProjectSnapshot(ProjectState State, long Version);

/// <summary>One atomic unit of work: an event and what it did to its project.</summary>
/// <param name="Event">The event to record; its id is unique across the store.</param>
/// <param name="ExpectedVersion">The version the new state was computed from; 0 when the project had no state.</param>
/// <param name="State">The state after the event.</param>
/// <param name="Outbox">Messages to publish because of this change, such as a completion.</param>
public sealed record ProjectCommit(EventRecord Event, long ExpectedVersion, ProjectState State, IReadOnlyList<OutboxEntry> Outbox);

/// <summary>What a commit did.</summary>
public abstract record CommitResult
{
    CommitResult()
    {
    }

    /// <summary>Everything was made durable; the project is now at <paramref name="Version"/>.</summary>
    public sealed record Committed(long Version) : CommitResult;

    /// <summary>The project moved on since it was loaded; nothing was written. Load again and retry.</summary>
    public sealed record VersionConflict : CommitResult;

    /// <summary>An event with this id is already recorded; nothing was written.</summary>
    public sealed record EventExists(string ExistingFingerprint) : CommitResult;
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

    public static EventRecord From(MilestoneEvent e, DateTimeOffset recordedAt) =>
        new(e.EventId, e.ProjectId, e.MilestoneCode, e.OccurredAt, e.ReportedAt, e.SourceSystem, e.Note, e.EvidenceUrl,
            e.Fingerprint, recordedAt);

    public static EventRecord From(Retraction r, string retractedMilestoneCode, DateTimeOffset recordedAt) =>
        new(r.EventId, r.ProjectId, retractedMilestoneCode, r.RetractedAt, r.RetractedAt, r.SourceSystem, r.Reason, null,
            r.Fingerprint, recordedAt, r.RetractedEventId);

    /// <summary>The report as a reached milestone (for recomputing a milestone after a retraction).</summary>
    public ReachedMilestone ToReached() => new(MilestoneCode, OccurredAt, EventId, SourceSystem, ReportedAt);
}
