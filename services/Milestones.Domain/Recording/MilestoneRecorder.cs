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

    public async Task<RecordOutcome> Record(MilestoneEvent e, CancellationToken cancellationToken)
    {
        if (validator.Validate(e) is { } rejection)
        {
            return RecordOutcome.Rejected(rejection);
        }
        var plan = catalog.Get(e.ProjectId).Plan;
        var head = heads.GetOrAdd(e.ProjectId, static _ => new ProjectHead());

        int? failedInView = null;
        for (var attempt = 1; ; attempt++)
        {
            var (commit, outcome, view) = await head.Submit(store, plan, e, time, failedInView, cancellationToken).ConfigureAwait(false);
            switch (await commit.ConfigureAwait(false))
            {
                case CommitResult.Committed:
                    return RecordOutcome.Applied(outcome.Changed, outcome.Completion);
                case CommitResult.EventExists exists when exists.ExistingFingerprint == e.Fingerprint:
                    return RecordOutcome.Duplicate;
                case CommitResult.EventExists:
                    return RecordOutcome.Rejected(new Rejection(RejectionReason.Conflict,
                        $"event {e.EventId} was already recorded with a different payload"));
                case CommitResult.VersionConflict when attempt < MaxVersionRetries:
                    failedInView = view;
                    continue;
                case CommitResult.VersionConflict:
                    throw new ConcurrencyException(
                        $"Project '{e.ProjectId}' changed under event {e.EventId} {attempt} times in a row; the message will be retried.");
            }
        }
    }
}

/// <summary>How recording an event ended.</summary>
public sealed record RecordOutcome
{
    RecordOutcome(RecordStatus status, bool changed, ProjectCompletion? completion, Rejection? rejection)
    {
        Status = status;
        Changed = changed;
        Completion = completion;
        Rejection = rejection;
    }

    public RecordStatus Status { get; }

    /// <summary>True when the event changed the project's state (not merely its timeline).</summary>
    public bool Changed { get; }

    /// <summary>Set when this event completed its project.</summary>
    public ProjectCompletion? Completion { get; }

    public Rejection? Rejection { get; }

    public static RecordOutcome Duplicate { get; } = new(RecordStatus.Duplicate, false, null, null);

    public static RecordOutcome Applied(bool changed, ProjectCompletion? completion) => new(RecordStatus.Applied, changed, completion, null);

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
