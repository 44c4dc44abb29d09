using MassTransit;

namespace Milestones.Contracts;

/// <summary>
/// A project's quantitative target is met: the latest reported value of its metric reached the target. Published once
/// each time the target becomes met, to the <c>milestones.target-met</c> exchange; the transport message id is derived
/// from the project, the metric and <see cref="Number"/>. A correction that takes the value back below does not publish
/// (a complete project that required the target is reopened, <see cref="ProjectReopened"/>); meeting it again publishes
/// the next number.
/// </summary>
[MessageUrn(WireNames.TargetMetType)]
[EntityName(WireNames.TargetMetExchange)]
public record TargetMet
{
    /// <summary>Catalog id of the project.</summary>
    public required string ProjectId { get; init; }

    /// <summary>The project's Chinese name, as in the catalog.</summary>
    public required string ProjectName { get; init; }

    /// <summary>The target's metric, such as <c>open-area</c>.</summary>
    public required string Metric { get; init; }

    /// <summary>1 the first time the target is met; counts up if a correction took it back below and it is met again.</summary>
    public required int Number { get; init; }

    /// <summary>The target value.</summary>
    public required decimal Target { get; init; }

    /// <summary>The reported value that meets it.</summary>
    public required decimal Value { get; init; }

    /// <summary>The unit of <see cref="Target"/> and <see cref="Value"/>.</summary>
    public required string Unit { get; init; }

    /// <summary>When the value was measured: the <see cref="ProgressReported.OccurredAt"/> of the report that meets it.</summary>
    public required DateTimeOffset MetAt { get; init; }

    /// <summary>The event whose arrival met the target (a progress report, or a registration that changed the target).</summary>
    public required Guid TriggeringEventId { get; init; }
}
