using Milestones.Domain.Projects;
using Milestones.Domain.Validation;

namespace Milestones.Domain.Recording;

/// <summary>
/// The recorder's result, what the consumer is told about one input: <see cref="RecordStatus.Applied"/> (with the
/// domain's <see cref="ProjectDecision"/>), a duplicate, refused with its reason, or failed (transient, to be
/// retried). The layers below have their own: the domain a <see cref="ProjectDecision"/> per input, the store a
/// <see cref="Storage.CommitResult"/> per project's commit; this is given only once the input's commit is durable.
/// One result type per layer: docs/design.md.
/// </summary>
public sealed record RecordOutcome
{
    RecordOutcome(RecordStatus status, ProjectDecision? decision, Rejection? rejection, Exception? failure)
    {
        Status = status;
        Decision = decision;
        Rejection = rejection;
        Failure = failure;
    }

    public RecordStatus Status { get; }

    /// <summary>What the domain decided, for <see cref="RecordStatus.Applied"/>.</summary>
    public ProjectDecision? Decision { get; }

    /// <summary>True when the input changed the project's state (not merely its timeline).</summary>
    public bool Changed => Decision?.Changed ?? false;

    /// <summary>Set when this input completed or reopened its project.</summary>
    public ProjectAnnouncement? Announcement => Decision?.Announcement;

    /// <summary>Everything this input decided to announce (targets met, a completion or reopening, an overdue milestone).</summary>
    public IReadOnlyList<ProjectAnnouncement> Announcements => Decision?.Announcements ?? [];

    /// <summary>Set when this input completed its project.</summary>
    public ProjectCompletion? Completion => Decision?.Completion;

    /// <summary>Set when this input reopened its project: a retraction, a lower later measurement or an amended plan.</summary>
    public ProjectReopening? Reopening => Decision?.Reopening;

    /// <summary>Why it was refused, for <see cref="RecordStatus.Rejected"/>.</summary>
    public Rejection? Rejection { get; }

    /// <summary>
    /// Why it could not be recorded now, for <see cref="RecordStatus.Failed"/>: the store failed, or the project kept
    /// changing under it. Transient: nothing of it may be taken as written, and recording it again is safe.
    /// </summary>
    public Exception? Failure { get; }

    public static RecordOutcome Duplicate { get; } = new(RecordStatus.Duplicate, null, null, null);

    public static RecordOutcome Applied(ProjectDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new(RecordStatus.Applied, decision, null, null);
    }

    public static RecordOutcome Rejected(Rejection rejection) => new(RecordStatus.Rejected, null, rejection, null);

    public static RecordOutcome Failed(Exception failure) => new(RecordStatus.Failed, null, null, failure);
}

/// <summary>Which of its four ends a <see cref="RecordOutcome"/> is: the outcome's discriminant, not a result of its own.</summary>
public enum RecordStatus
{
    Applied,
    Duplicate,
    Rejected,
    Failed,
}

/// <summary>Too many concurrent writers on one project; a transient condition, retried by the transport.</summary>
public sealed class ConcurrencyException(string message) : Exception(message);
