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

/// <summary>
/// The store's result: what one project's <see cref="ProjectCommit"/> did. The recorder turns it into each input's
/// <see cref="Recording.RecordOutcome"/>; the domain's own result is <see cref="Projects.ProjectDecision"/>. One result
/// type per layer: docs/design.md.
/// </summary>
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

/// <summary>What a recorded event is. Stored as its code (<see cref="EventKinds"/>); a record without one is a report or a retraction.</summary>
public enum EventKind
{
    /// <summary>A milestone report (<c>MilestoneReached</c>).</summary>
    Report,

    /// <summary>A retraction of a report (<c>MilestoneRetracted</c>).</summary>
    Retraction,

    /// <summary>A progress report (<c>ProgressReported</c>).</summary>
    Progress,

    /// <summary>A catalog registration (<c>ProjectRegistered</c>).</summary>
    Registration,

    /// <summary>The schedule watch's finding that a milestone is overdue.</summary>
    Overdue,
}

/// <summary>The stored codes of <see cref="EventKind"/>.</summary>
public static class EventKinds
{
    public static string Code(EventKind kind) => kind switch
    {
        EventKind.Report => "reached",
        EventKind.Retraction => "retracted",
        EventKind.Progress => "progress",
        EventKind.Registration => "registered",
        EventKind.Overdue => "overdue",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The kind of a stored code; null (a record from before kinds were stored) gives report or retraction.</summary>
    public static EventKind Parse(string? code, Guid? retractedEventId) => code switch
    {
        null or "" => retractedEventId is null ? EventKind.Report : EventKind.Retraction,
        "reached" => EventKind.Report,
        "retracted" => EventKind.Retraction,
        "progress" => EventKind.Progress,
        "registered" => EventKind.Registration,
        "overdue" => EventKind.Overdue,
        _ => throw new FormatException($"unknown event kind '{code}'"),
    };
}

/// <summary>A metric's value as a progress report (or the retraction of one) records it.</summary>
public sealed record ProgressValue(string Metric, decimal Value, string Unit);

/// <summary>
/// An event as stored in a project's timeline (<see cref="Kind"/> says which):
/// <list type="bullet">
/// <item>a milestone report;</item>
/// <item>a retraction, when <see cref="RetractedEventId"/> is set: its <see cref="Note"/> is its reason, its
/// <see cref="OccurredAt"/> and <see cref="ReportedAt"/> the time it was withdrawn, its <see cref="MilestoneCode"/> the
/// code of the report it withdraws (empty when that report was not recorded yet, or is a progress report, whose metric
/// and value <see cref="Progress"/> then holds);</item>
/// <item>a progress report: <see cref="Progress"/> holds the metric, value and unit, <see cref="MilestoneCode"/> is empty;</item>
/// <item>a registration: <see cref="Detail"/> holds the registered entry as JSON (its revision inside), <see cref="Revision"/>
/// its revision, <see cref="OccurredAt"/> and <see cref="ReportedAt"/> when it was made;</item>
/// <item>an overdue finding: <see cref="MilestoneCode"/> the late milestone, <see cref="OccurredAt"/> the end of its due day,
/// <see cref="ReportedAt"/> when it was found, <see cref="Detail"/> the due date (<c>yyyy-MM-dd</c>), and the source the
/// service itself (<see cref="OverdueCheck.ServiceSource"/>).</item>
/// </list>
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
    readonly EventKind? kind;

    /// <summary>
    /// What the event is; defaults to a report, or a retraction when <see cref="RetractedEventId"/> is set. Setting the
    /// default explicitly keeps it implicit, so a record read back from a store (which always says its kind) equals the
    /// record that was written.
    /// </summary>
    public EventKind Kind
    {
        get => kind ?? DefaultKind;
        init => kind = value == DefaultKind ? null : value;
    }

    EventKind DefaultKind => RetractedEventId is null ? EventKind.Report : EventKind.Retraction;

    /// <summary>A progress report's metric, value and unit; for a retraction of one, the withdrawn report's.</summary>
    public ProgressValue? Progress { get; init; }

    /// <summary>A registration's entry as JSON, or an overdue finding's due date.</summary>
    public string? Detail { get; init; }

    /// <summary>A registration's revision.</summary>
    public int? Revision { get; init; }

    public bool IsRetraction => RetractedEventId is not null;

    /// <summary>The record of a milestone report.</summary>
    /// <param name="e">The report.</param>
    /// <param name="recordedAt">When the store records it.</param>
    /// <param name="fingerprint">The event's fingerprint when the caller has it already (a digest of the whole event).</param>
    public static EventRecord From(MilestoneEvent e, DateTimeOffset recordedAt, string? fingerprint = null) =>
        new(e.EventId, e.ProjectId, e.MilestoneCode, e.OccurredAt, e.ReportedAt, e.SourceSystem, e.Note, e.EvidenceUrl,
            fingerprint ?? e.Fingerprint, recordedAt);

    public static EventRecord From(Retraction r, string retractedMilestoneCode, DateTimeOffset recordedAt, ProgressValue? retractedProgress = null) =>
        new(r.EventId, r.ProjectId, retractedMilestoneCode, r.RetractedAt, r.RetractedAt, r.SourceSystem, r.Reason, null,
            r.Fingerprint, recordedAt, r.RetractedEventId)
        {
            Progress = retractedProgress,
        };

    public static EventRecord From(ProgressReport p, DateTimeOffset recordedAt, string? fingerprint = null) =>
        new(p.EventId, p.ProjectId, string.Empty, p.OccurredAt, p.ReportedAt, p.SourceSystem, p.Note, null, fingerprint ?? p.Fingerprint, recordedAt)
        {
            Kind = EventKind.Progress,
            Progress = new ProgressValue(p.Metric, p.Value, p.Unit),
        };

    public static EventRecord From(CatalogRegistration r, DateTimeOffset recordedAt, string? fingerprint = null) =>
        new(r.EventId, r.ProjectId, string.Empty, r.RegisteredAt, r.RegisteredAt, r.SourceSystem, r.Note, null, fingerprint ?? r.Fingerprint, recordedAt)
        {
            Kind = EventKind.Registration,
            Detail = r.EntryAsJson,
            Revision = r.Definition.Revision,
        };

    public static EventRecord From(OverdueCheck o, DateTimeOffset recordedAt)
    {
        ArgumentNullException.ThrowIfNull(o);
        var due = o.Due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var dueEnd = new DateTimeOffset(o.Due.AddDays(1).ToDateTime(TimeOnly.MinValue), Catalog.ScheduledMilestone.ChinaStandardTime);
        return new(o.EventId, o.ProjectId, o.MilestoneCode, dueEnd, o.DetectedAt, OverdueCheck.ServiceSource, $"due {due}", null, o.Fingerprint, recordedAt)
        {
            Kind = EventKind.Overdue,
            Detail = due,
        };
    }

    /// <summary>The report as a reached milestone (for recomputing a milestone after a retraction).</summary>
    public ReachedMilestone ToReached() => new(MilestoneCode, OccurredAt, EventId, SourceSystem, ReportedAt);

    /// <summary>The progress report as a reading (for recomputing a metric after a retraction); null for any other kind.</summary>
    public ProgressReading? ToReading() =>
        Kind == EventKind.Progress && Progress is { } p ? new(p.Metric, p.Value, p.Unit, OccurredAt, EventId, SourceSystem, ReportedAt) : null;

    /// <summary>A registration's entry, read back from <see cref="Detail"/>; null for any other kind.</summary>
    public Catalog.ProjectDefinition? RegisteredEntry() =>
        Kind == EventKind.Registration && Detail is { } json
            ? System.Text.Json.JsonSerializer.Deserialize<Catalog.ProjectDefinition>(json, CatalogRegistration.EntryJson)
            : null;
}
