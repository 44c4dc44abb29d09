namespace Milestones.Contracts.Testing;

/// <summary>
/// Builds a <see cref="MilestoneRetracted"/> for tests. The defaults withdraw a report on <c>lize-city-terminal</c> made
/// by <c>lize-pmo</c> (a fresh id for the report, unless <see cref="Retracting"/> names one), on 2023-10-01. Each
/// <c>With…</c> sets one field, including values the service refuses.
/// </summary>
public sealed class MilestoneRetractedBuilder
{
    Guid eventId = Guid.NewGuid();
    string? projectId = "lize-city-terminal";
    Guid retractedEventId = Guid.NewGuid();
    string? reason = "误报：结构尚未封顶";
    DateTimeOffset retractedAt = new(2023, 10, 1, 9, 0, 0, TimeSpan.FromHours(8));
    string? sourceSystem = "lize-pmo";

    /// <summary>Withdraws <paramref name="report"/>: its project, its event id and its source.</summary>
    public MilestoneRetractedBuilder Retracting(MilestoneReached report)
    {
        ArgumentNullException.ThrowIfNull(report);
        projectId = report.ProjectId;
        retractedEventId = report.EventId;
        sourceSystem = report.SourceSystem;
        return this;
    }

    /// <summary>Sets <see cref="MilestoneRetracted.EventId"/>; <see cref="Guid.Empty"/> counts as missing.</summary>
    public MilestoneRetractedBuilder WithEventId(Guid value) { eventId = value; return this; }

    /// <summary>Sets <see cref="MilestoneRetracted.ProjectId"/>; null or blank counts as missing.</summary>
    public MilestoneRetractedBuilder WithProjectId(string? value) { projectId = value; return this; }

    /// <summary>Sets <see cref="MilestoneRetracted.RetractedEventId"/>; <see cref="Guid.Empty"/> counts as missing.</summary>
    public MilestoneRetractedBuilder WithRetractedEventId(Guid value) { retractedEventId = value; return this; }

    /// <summary>Sets <see cref="MilestoneRetracted.Reason"/>; null or blank counts as missing.</summary>
    public MilestoneRetractedBuilder WithReason(string? value) { reason = value; return this; }

    /// <summary>Sets <see cref="MilestoneRetracted.RetractedAt"/>; <c>default</c> counts as missing.</summary>
    public MilestoneRetractedBuilder WithRetractedAt(DateTimeOffset value) { retractedAt = value; return this; }

    /// <summary>Sets <see cref="MilestoneRetracted.SourceSystem"/>.</summary>
    public MilestoneRetractedBuilder WithSourceSystem(string? value) { sourceSystem = value; return this; }

    /// <summary>The message.</summary>
    public MilestoneRetracted Build() => new()
    {
        EventId = eventId,
        ProjectId = projectId!,
        RetractedEventId = retractedEventId,
        Reason = reason!,
        RetractedAt = retractedAt,
        SourceSystem = sourceSystem,
    };
}
