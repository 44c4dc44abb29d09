using System.Collections.Concurrent;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;

namespace Milestones.Domain.Recording;

/// <summary>
/// Records one milestone event: validates it, applies it to its project and commits the event, the state
/// change and any completion to announce in one unit. Safe to call again with the same event (a redelivery)
/// and from several replicas at once: concurrent writers on one project are serialised by the store's version
/// check, and the loser re-reads and re-applies.
/// <para>
/// Within a replica, the events of a project are applied one after the other on the state its previous commit
/// produces (<see cref="ProjectHead"/>), so the project is read from the store only the first time and after a failed
/// commit. With a store that chains commits (<see cref="IPipelinedProjectStore"/>) the next event's commit is submitted
/// without waiting for the previous one to be durable, so concurrent events of one project share the store's group
/// commit; each caller still returns only once its own commit is durable.
/// </para>
/// </summary>
public sealed class MilestoneRecorder(IProjectStore store, ProjectCatalog catalog, MilestoneValidator validator, TimeProvider time)
{
    /// <summary>How many times a commit is retried after losing a version race before giving up.</summary>
    public const int MaxVersionRetries = 16;

    // One per catalog project at most: events of unknown projects are refused before they get here.
    readonly ConcurrentDictionary<string, ProjectHead> heads = new(StringComparer.Ordinal);

    public Task<RecordOutcome> Record(MilestoneEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (validator.Validate(e) is { } rejection)
        {
            return Task.FromResult(RecordOutcome.Rejected(rejection));
        }
        var plan = catalog.Get(e.ProjectId).Plan;
        return Commit(e.ProjectId, e.EventId, e.Fingerprint, exclusive: false,
            (state, now, _) => ValueTask.FromResult(new AppliedChange(state.Apply(plan, e), EventRecord.From(e, now), null)),
            cancellationToken);
    }

    /// <summary>
    /// Records a retraction: the project's state becomes what its remaining reports give, and a complete project that is
    /// no longer complete is reopened (announced through the outbox). Retractions are rare, so this reads the project's
    /// reports from the store (to find the withdrawn report and the next earliest of its milestone) and never chains.
    /// </summary>
    public Task<RecordOutcome> Record(Retraction r, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (validator.Validate(r) is { } rejection)
        {
            return Task.FromResult(RecordOutcome.Rejected(rejection));
        }
        var plan = catalog.Get(r.ProjectId).Plan;
        var record = RetractionRecord.From(r, validator.IsDistrictOffice(r.SourceSystem));
        return Commit(r.ProjectId, r.EventId, r.Fingerprint, exclusive: true, async (state, now, token) =>
        {
            // The whole timeline: with the project's latest commit durable (exclusive), it holds the reports the state was
            // built from, except (MongoDB) one whose commit stopped between its state write and its timeline mark: its
            // message was not acknowledged, so it comes again and is re-applied. The state still knows it if it holds the
            // milestone, so the milestone and the reporter are taken from there when the timeline lacks it.
            var reports = await store.GetTimeline(r.ProjectId, int.MaxValue, token).ConfigureAwait(false);
            var retracted = reports.FirstOrDefault(x => x.EventId == r.RetractedEventId)
                ?? (state.WinningMilestoneOf(r.RetractedEventId) is { } held ? Held(state, held, r.ProjectId, now) : null);
            if (retracted is not null && validator.AuthorizeRetraction(r, retracted) is { } refused)
            {
                return AppliedChange.Refused(refused);
            }
            var code = retracted?.MilestoneCode ?? string.Empty;
            var sameMilestone = reports.Where(x => !x.IsRetraction && x.MilestoneCode == code).Select(x => x.ToReached());
            return new AppliedChange(state.Retract(plan, record, sameMilestone), EventRecord.From(r, code, now), null);
        }, cancellationToken);
    }

    /// <summary>A report as the state holds it, for a retraction whose report is in the state but not yet in the timeline.</summary>
    static EventRecord Held(ProjectState state, string code, string projectId, DateTimeOffset now)
    {
        var m = state.Reached[code];
        return new EventRecord(m.EventId, projectId, code, m.OccurredAt, m.ReportedAt, m.SourceSystem, null, null, string.Empty, now);
    }

    async Task<RecordOutcome> Commit(
        string projectId, Guid eventId, string fingerprint, bool exclusive, ProjectChange change, CancellationToken cancellationToken)
    {
        var head = heads.GetOrAdd(projectId, static _ => new ProjectHead());
        int? failedInView = null;
        for (var attempt = 1; ; attempt++)
        {
            var submission = await head.Submit(store, projectId, change, exclusive, time, failedInView, cancellationToken).ConfigureAwait(false);
            if (submission.Rejection is { } rejection)
            {
                return RecordOutcome.Rejected(rejection);
            }
            switch (await submission.Commit!.ConfigureAwait(false))
            {
                case CommitResult.Committed:
                    return RecordOutcome.Applied(submission.Outcome!.Changed, submission.Outcome.Announcement);
                case CommitResult.EventExists exists when exists.ExistingFingerprint == fingerprint:
                    return RecordOutcome.Duplicate;
                case CommitResult.EventExists:
                    return RecordOutcome.Rejected(new Rejection(RejectionReason.Conflict,
                        $"event {eventId} was already recorded with a different payload"));
                case CommitResult.VersionConflict when attempt < MaxVersionRetries:
                    failedInView = submission.View;
                    continue;
                case CommitResult.VersionConflict:
                    throw new ConcurrencyException(
                        $"Project '{projectId}' changed under event {eventId} {attempt} times in a row; the message will be retried.");
            }
        }
    }
}

/// <summary>How recording an event ended.</summary>
public sealed record RecordOutcome
{
    RecordOutcome(RecordStatus status, bool changed, ProjectAnnouncement? announcement, Rejection? rejection)
    {
        Status = status;
        Changed = changed;
        Announcement = announcement;
        Rejection = rejection;
    }

    public RecordStatus Status { get; }

    /// <summary>True when the event changed the project's state (not merely its timeline).</summary>
    public bool Changed { get; }

    /// <summary>Set when this event completed or reopened its project.</summary>
    public ProjectAnnouncement? Announcement { get; }

    /// <summary>Set when this event completed its project.</summary>
    public ProjectCompletion? Completion => Announcement as ProjectCompletion;

    /// <summary>Set when this retraction reopened its project.</summary>
    public ProjectReopening? Reopening => Announcement as ProjectReopening;

    public Rejection? Rejection { get; }

    public static RecordOutcome Duplicate { get; } = new(RecordStatus.Duplicate, false, null, null);

    public static RecordOutcome Applied(bool changed, ProjectAnnouncement? announcement) => new(RecordStatus.Applied, changed, announcement, null);

    public static RecordOutcome Rejected(Rejection rejection) => new(RecordStatus.Rejected, false, null, rejection);
}

public enum RecordStatus
{
    Applied,
    Duplicate,
    Rejected,
}

/// <summary>Too many concurrent writers on one project; a transient condition, retried by the transport.</summary>
public sealed class ConcurrencyException(string message) : Exception(message);
