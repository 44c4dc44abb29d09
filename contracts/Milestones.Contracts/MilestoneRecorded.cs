using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// The service recorded an input: a milestone report, a retraction, a progress report or a registration. Published once
/// per recorded event (never for a duplicate or a refused one), through the outbox, to the
/// <c>milestones.milestone-recorded</c> exchange, for projections and dashboards that keep their own view. The transport
/// message id is derived from <see cref="EventId"/>. The feed can be turned off (<c>Feeds:MilestoneRecorded=false</c>).
/// </summary>
[MessageUrn(WireNames.MilestoneRecordedType)]
[EntityName(WireNames.MilestoneRecordedExchange)]
public record MilestoneRecorded
{
    /// <summary>The recorded event's id.</summary>
    public required Guid EventId { get; init; }

    /// <summary>Catalog id of the project.</summary>
    public required string ProjectId { get; init; }

    /// <summary>What was recorded: <c>reached</c>, <c>retracted</c>, <c>progress</c> or <c>registered</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The stage code, for <c>reached</c>; for <c>retracted</c>, the code of the report withdrawn (empty when unknown).</summary>
    public string? MilestoneCode { get; init; }

    /// <summary>For <c>progress</c>: the metric, value and unit reported.</summary>
    public string? Metric { get; init; }

    /// <summary>For <c>progress</c>: the value reported.</summary>
    public decimal? Value { get; init; }

    /// <summary>For <c>progress</c>: the unit.</summary>
    public string? Unit { get; init; }

    /// <summary>For <c>retracted</c>: the report withdrawn.</summary>
    public Guid? RetractedEventId { get; init; }

    /// <summary>For <c>registered</c>: the catalog revision.</summary>
    public int? Revision { get; init; }

    /// <summary>When it happened, as the source said.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>When the service recorded it.</summary>
    public required DateTimeOffset RecordedAt { get; init; }

    /// <summary>The source that sent it (its broker user).</summary>
    public required string SourceSystem { get; init; }

    /// <summary>False when it was recorded without changing the project (a later report of a milestone already reached, a stale revision).</summary>
    public required bool Changed { get; init; }

    /// <summary>Whether the project is complete after it.</summary>
    public required bool ProjectComplete { get; init; }
}
