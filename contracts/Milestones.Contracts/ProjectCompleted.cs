using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// A key project reached every milestone its plan requires. Published once per completion
/// to the <c>milestones.project-completed</c> exchange. The transport message id is derived from
/// <see cref="ProjectId"/> and <see cref="CompletionNumber"/>, so a publish repeated after a crash
/// carries the same id and consumers can de-duplicate on it.
/// </summary>
[MessageUrn(WireNames.ProjectCompletedType)]
[EntityName(WireNames.ProjectCompletedExchange)]
public record ProjectCompleted
{
    /// <summary>Catalog id of the project.</summary>
    public required string ProjectId { get; init; }

    /// <summary>The project's Chinese name, as in the catalog.</summary>
    public required string ProjectName { get; init; }

    /// <summary>1 for the first completion; a project reopened by a retraction and completed again counts up.</summary>
    public required int CompletionNumber { get; init; }

    /// <summary>Completion time: the latest of the required milestones' times and the required targets' met times.</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>The required milestones, with the time and the event that reached each.</summary>
    public required IReadOnlyList<CompletingMilestone> Milestones { get; init; }

    /// <summary>The event whose arrival completed the project.</summary>
    public required Guid TriggeringEventId { get; init; }

    /// <summary>The required quantitative targets, with the value that met each; absent when the plan requires none.</summary>
    public IReadOnlyList<CompletingTarget>? Targets { get; init; }
}

/// <summary>One required milestone of a completed project.</summary>
/// <param name="MilestoneCode">Stage code.</param>
/// <param name="OccurredAt">When it was reached.</param>
/// <param name="EventId">The event that recorded it.</param>
public record CompletingMilestone(string MilestoneCode, DateTimeOffset OccurredAt, Guid EventId);

/// <summary>One required target of a completed project.</summary>
/// <param name="Metric">The target's metric.</param>
/// <param name="Target">The target value.</param>
/// <param name="Value">The reported value that meets it.</param>
/// <param name="Unit">The unit of both.</param>
/// <param name="MetAt">When the value was measured.</param>
/// <param name="EventId">The progress report that carries the value.</param>
public record CompletingTarget(string Metric, decimal Target, decimal Value, string Unit, DateTimeOffset MetAt, Guid EventId);
