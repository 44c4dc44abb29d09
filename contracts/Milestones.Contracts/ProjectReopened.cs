using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// A complete project is no longer complete because a report it depended on was retracted. Published once per reopening
/// to the <c>milestones.project-reopened</c> exchange. The transport message id is derived from <see cref="ProjectId"/>
/// and <see cref="ReopenNumber"/>, so a publish repeated after a crash carries the same id. Completing the project again
/// publishes a <see cref="ProjectCompleted"/> with the next completion number.
/// </summary>
[MessageUrn(WireNames.ProjectReopenedType)]
[EntityName(WireNames.ProjectReopenedExchange)]
public record ProjectReopened
{
    /// <summary>Catalog id of the project.</summary>
    public required string ProjectId { get; init; }

    /// <summary>The project's Chinese name, as in the catalog.</summary>
    public required string ProjectName { get; init; }

    /// <summary>1 for the first reopening; it follows completion number <see cref="ReopenNumber"/>.</summary>
    public required int ReopenNumber { get; init; }

    /// <summary>The required milestones the project no longer has.</summary>
    public required IReadOnlyList<string> MissingMilestones { get; init; }

    /// <summary>The retraction that reopened it.</summary>
    public required Guid RetractionEventId { get; init; }

    /// <summary>The report that the retraction withdrew.</summary>
    public required Guid RetractedEventId { get; init; }

    /// <summary>The source that retracted it.</summary>
    public required string RetractedBy { get; init; }

    /// <summary>The reason the source gave.</summary>
    public required string Reason { get; init; }
}
