using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// A complete project is no longer complete: a report it depended on was retracted, a correction took a required target
/// back below, or a registration amended its plan (<see cref="Cause"/>). Published once per reopening
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

    /// <summary>The retraction that reopened it; for another <see cref="Cause"/>, the event that did (as <see cref="TriggeringEventId"/>).</summary>
    public required Guid RetractionEventId { get; init; }

    /// <summary>The report that the retraction withdrew; the empty id when <see cref="Cause"/> is not <c>retraction</c>.</summary>
    public required Guid RetractedEventId { get; init; }

    /// <summary>The source that retracted it (or sent the event that reopened it).</summary>
    public required string RetractedBy { get; init; }

    /// <summary>The reason the source gave, or what reopened it.</summary>
    public required string Reason { get; init; }

    /// <summary>
    /// What reopened it: <c>retraction</c> (a report was withdrawn), <c>progress</c> (a later report took a required
    /// target back below) or <c>plan-amended</c> (a registration added a requirement). Absent from messages of versions
    /// before progress and registrations, which were all retractions.
    /// </summary>
    public string? Cause { get; init; }

    /// <summary>The event that reopened it: the retraction, progress report or registration.</summary>
    public Guid? TriggeringEventId { get; init; }

    /// <summary>The required targets the project no longer meets, by metric.</summary>
    public IReadOnlyList<string>? UnmetTargets { get; init; }
}
