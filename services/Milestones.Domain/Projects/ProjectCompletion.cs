namespace Milestones.Domain.Projects;

/// <summary>
/// Something the service announces about a project because its state changed: a completion or a reopening. Each is
/// decided once per transition and carries a deterministic transport message id, so a publish repeated after a crash
/// carries the same id and consumers can de-duplicate on it.
/// </summary>
public abstract record ProjectAnnouncement(string ProjectId)
{
    /// <summary>The transport message id: derived from the project and the transition's number only.</summary>
    public abstract Guid MessageId { get; }
}

/// <summary>The decision that a project is complete, taken once per completion.</summary>
/// <param name="ProjectId">The project.</param>
/// <param name="CompletionNumber">1 for the first completion; counts up if the project is reopened and completed again.</param>
/// <param name="CompletedAt">The latest of the required milestones' times.</param>
/// <param name="Milestones">The required milestones as reached at the moment of completion.</param>
/// <param name="TriggeringEventId">The event whose arrival completed the project.</param>
public sealed record ProjectCompletion(
    string ProjectId,
    int CompletionNumber,
    DateTimeOffset CompletedAt,
    IReadOnlyList<ReachedMilestone> Milestones,
    Guid TriggeringEventId) : ProjectAnnouncement(ProjectId)
{
    public override Guid MessageId => DeterministicGuid.Create($"milestones/project-completed/{ProjectId}/{CompletionNumber}");
}

/// <summary>The decision that a complete project is complete no longer, taken once per reopening.</summary>
/// <param name="ProjectId">The project.</param>
/// <param name="ReopenNumber">1 for the first reopening; reopening number n follows completion number n.</param>
/// <param name="MissingMilestones">The required milestones the project no longer has, in plan order.</param>
/// <param name="Retraction">The retraction that reopened it.</param>
public sealed record ProjectReopening(
    string ProjectId,
    int ReopenNumber,
    IReadOnlyList<string> MissingMilestones,
    RetractionRecord Retraction) : ProjectAnnouncement(ProjectId)
{
    public override Guid MessageId => DeterministicGuid.Create($"milestones/project-reopened/{ProjectId}/{ReopenNumber}");
}
