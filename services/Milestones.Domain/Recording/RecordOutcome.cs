using Milestones.Domain.Projects;
using Milestones.Domain.Validation;

namespace Milestones.Domain.Recording;

/// <summary>How recording one input ended.</summary>
public sealed record RecordOutcome
{
    RecordOutcome(RecordStatus status, bool changed, IReadOnlyList<ProjectAnnouncement> announcements, Rejection? rejection, Exception? failure)
    {
        Status = status;
        Changed = changed;
        Announcements = announcements;
        Announcement = announcements.FirstOrDefault(a => a is ProjectCompletion or ProjectReopening);
        Rejection = rejection;
        Failure = failure;
    }

    public RecordStatus Status { get; }

    /// <summary>True when the input changed the project's state (not merely its timeline).</summary>
    public bool Changed { get; }

    /// <summary>Set when this input completed or reopened its project.</summary>
    public ProjectAnnouncement? Announcement { get; }

    /// <summary>Everything this input decided to announce (targets met, a completion or reopening, an overdue milestone).</summary>
    public IReadOnlyList<ProjectAnnouncement> Announcements { get; }

    /// <summary>Set when this event completed its project.</summary>
    public ProjectCompletion? Completion => Announcement as ProjectCompletion;

    /// <summary>Set when this retraction reopened its project.</summary>
    public ProjectReopening? Reopening => Announcement as ProjectReopening;

    /// <summary>Why it was refused, for <see cref="RecordStatus.Rejected"/>.</summary>
    public Rejection? Rejection { get; }

    /// <summary>
    /// Why it could not be recorded now, for <see cref="RecordStatus.Failed"/>: the store failed, or the project kept
    /// changing under it. Transient: nothing of it may be taken as written, and recording it again is safe.
    /// </summary>
    public Exception? Failure { get; }

    public static RecordOutcome Duplicate { get; } = new(RecordStatus.Duplicate, false, [], null, null);

    public static RecordOutcome Applied(bool changed, IReadOnlyList<ProjectAnnouncement> announcements) => new(RecordStatus.Applied, changed, announcements, null, null);

    public static RecordOutcome Applied(bool changed, ProjectAnnouncement? announcement) =>
        new(RecordStatus.Applied, changed, announcement is null ? [] : [announcement], null, null);

    public static RecordOutcome Rejected(Rejection rejection) => new(RecordStatus.Rejected, false, [], rejection, null);

    public static RecordOutcome Failed(Exception failure) => new(RecordStatus.Failed, false, [], null, failure);
}

public enum RecordStatus
{
    Applied,
    Duplicate,
    Rejected,
    Failed,
}

/// <summary>Too many concurrent writers on one project; a transient condition, retried by the transport.</summary>
public sealed class ConcurrencyException(string message) : Exception(message);
