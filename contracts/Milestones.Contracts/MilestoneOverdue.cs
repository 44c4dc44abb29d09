using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// A planned milestone was not reached by the end of its due day. Published once per project, milestone and due date to
/// the <c>milestones.milestone-overdue</c> exchange; the transport message id is derived from those three, so every
/// replica and every restart that notices it publishes the same message. A new due date (a registration that moves it)
/// can be noticed again.
/// </summary>
[MessageUrn(WireNames.MilestoneOverdueType)]
[EntityName(WireNames.MilestoneOverdueExchange)]
public record MilestoneOverdue
{
    /// <summary>Catalog id of the project.</summary>
    public required string ProjectId { get; init; }

    /// <summary>The project's Chinese name, as in the catalog.</summary>
    public required string ProjectName { get; init; }

    /// <summary>The stage code that is late.</summary>
    public required string MilestoneCode { get; init; }

    /// <summary>The last day it was on time (China Standard Time).</summary>
    public required DateOnly DueDate { get; init; }

    /// <summary>When the service noticed it.</summary>
    public required DateTimeOffset DetectedAt { get; init; }

    /// <summary>Whole days between the end of the due day and <see cref="DetectedAt"/>, at least 0.</summary>
    public required int DaysLate { get; init; }
}
