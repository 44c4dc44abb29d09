using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// An upstream system withdraws a milestone report it (or another source) made by mistake. Published to the
/// <c>milestones.milestone-retracted</c> exchange. Allowed for the source that reported the retracted event and for the
/// district office; the project's state becomes what its remaining reports give, and a complete project that is no longer
/// complete is reopened (<see cref="ProjectReopened"/>). A retraction that arrives before the event it retracts still
/// wins: the event is recorded when it comes, with no effect.
/// </summary>
[MessageUrn(WireNames.MilestoneRetractedType)]
[EntityName(WireNames.MilestoneRetractedExchange)]
public record MilestoneRetracted
{
    /// <summary>Unique id of this retraction, chosen by the publisher. Redelivery with the same id is applied once.</summary>
    public required Guid EventId { get; init; }

    /// <summary>Catalog id of the project the retracted event is about.</summary>
    public required string ProjectId { get; init; }

    /// <summary>The <see cref="MilestoneReached.EventId"/> of the report withdrawn.</summary>
    public required Guid RetractedEventId { get; init; }

    /// <summary>Why it is withdrawn, for the timeline (at most 2 000 characters).</summary>
    public required string Reason { get; init; }

    /// <summary>When the upstream system withdrew it.</summary>
    public required DateTimeOffset RetractedAt { get; init; }

    /// <summary>The upstream system that withdraws it; as for <see cref="MilestoneReached.SourceSystem"/>, equal to the broker user or left out.</summary>
    public string? SourceSystem { get; init; }
}
