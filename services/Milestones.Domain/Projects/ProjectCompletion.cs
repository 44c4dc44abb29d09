namespace Milestones.Domain.Projects;

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
    Guid TriggeringEventId)
{
    /// <summary>
    /// The transport message id of the announcement: derived from the project and the completion number only,
    /// so a publish repeated after a crash carries the same id.
    /// </summary>
    public Guid MessageId => DeterministicGuid.Create($"milestones/project-completed/{ProjectId}/{CompletionNumber}");
}
