using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// An upstream system reports that a key project reached a milestone.
/// Published to the <c>milestones.milestone-reached</c> exchange.
/// </summary>
[MessageUrn(WireNames.MilestoneReachedType)]
[EntityName(WireNames.MilestoneReachedExchange)]
public record MilestoneReached
{
    /// <summary>Unique id of this report, chosen by the publisher. Redelivery with the same id is applied once.</summary>
    public required Guid EventId { get; init; }

    /// <summary>Catalog id of the project, an ASCII slug such as <c>lize-city-terminal</c>.</summary>
    public required string ProjectId { get; init; }

    /// <summary>Stage code from the milestone vocabulary, such as <c>construction-started</c>.</summary>
    public required string MilestoneCode { get; init; }

    /// <summary>When the milestone happened on site.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>When the upstream system reported it.</summary>
    public required DateTimeOffset ReportedAt { get; init; }

    /// <summary>
    /// The upstream system that reports it, such as <c>lize-pmo</c>: its broker user. The service takes the sender from
    /// the AMQP <c>user_id</c> property, which RabbitMQ checks against the connection's user; this field must equal it
    /// or be left out, and is then filled from it (see README.md, "Who sent it").
    /// </summary>
    public string? SourceSystem { get; init; }

    /// <summary>Optional free-text note (at most 2 000 characters).</summary>
    public string? Note { get; init; }

    /// <summary>Optional absolute http(s) link to evidence: a notice, a photo, a report page.</summary>
    public string? EvidenceUrl { get; init; }
}
