using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// An upstream system reports the value a project's quantitative target has reached, such as the open area of
/// 南苑森林湿地公园 in mu (亩). Published to the <c>milestones.progress-reported</c> exchange. The value of a metric is its
/// latest report by <see cref="OccurredAt"/> (ties broken by event id), so reports may arrive in any order; a target is
/// met when that value reaches it (<see cref="TargetMet"/>). A report in another unit than the catalog target's is refused.
/// </summary>
[MessageUrn(WireNames.ProgressReportedType)]
[EntityName(WireNames.ProgressReportedExchange)]
public record ProgressReported
{
    /// <summary>Unique id of this report, chosen by the publisher. Redelivery with the same id is applied once.</summary>
    public required Guid EventId { get; init; }

    /// <summary>Catalog id of the project, an ASCII slug such as <c>nanyuan-forest-wetland-park</c>.</summary>
    public required string ProjectId { get; init; }

    /// <summary>The metric of one of the project's catalog targets, such as <c>open-area</c>.</summary>
    public required string Metric { get; init; }

    /// <summary>The value reached, in <see cref="Unit"/>: the total so far, not an increment.</summary>
    public required decimal Value { get; init; }

    /// <summary>The unit of <see cref="Value"/>; must be the target's unit, such as <c>mu</c>.</summary>
    public required string Unit { get; init; }

    /// <summary>When the value was measured on site.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>When the upstream system reported it; <see cref="OccurredAt"/> when left out.</summary>
    public DateTimeOffset? ReportedAt { get; init; }

    /// <summary>The upstream system that reports it: equal to the broker user (AMQP <c>user_id</c>) or left out.</summary>
    public string? SourceSystem { get; init; }

    /// <summary>Optional free-text note (at most 2 000 characters).</summary>
    public string? Note { get; init; }
}
