namespace Milestones.Domain.Projects;

/// <summary>
/// The domain's result: what applying one input (a report, a progress report, a retraction, a registration or an
/// overdue finding) to a project's state decided. Nothing is written yet; the recorder puts the decisions of a batch into
/// one <see cref="Storage.ProjectCommit"/> per project (the store answers with a <see cref="Storage.CommitResult"/>) and
/// tells the consumer a <see cref="Recording.RecordOutcome"/>. One result type per layer: docs/design.md.
/// </summary>
/// <param name="State">The state after it.</param>
/// <param name="Changed">False when it changed nothing (a redelivery, a later report of a milestone already reached, a withdrawn report, a stale revision).</param>
/// <param name="Announcements">What the change decided to announce, in order: targets met, then a completion or a reopening (or an overdue milestone).</param>
public sealed record ProjectDecision(ProjectState State, bool Changed, IReadOnlyList<ProjectAnnouncement> Announcements)
{
    public static ProjectDecision Unchanged(ProjectState state) => new(state, Changed: false, []);

    /// <summary>The completion or reopening this change decided, if it decided one.</summary>
    public ProjectAnnouncement? Announcement => Announcements.FirstOrDefault(a => a is ProjectCompletion or ProjectReopening);

    /// <summary>The completion this change decided, if it decided one.</summary>
    public ProjectCompletion? Completion => Announcement as ProjectCompletion;

    /// <summary>The reopening this change decided, if it decided one.</summary>
    public ProjectReopening? Reopening => Announcement as ProjectReopening;
}
