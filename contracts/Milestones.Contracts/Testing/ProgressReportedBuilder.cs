namespace Milestones.Contracts.Testing;

/// <summary>
/// Builds a <see cref="ProgressReported"/> for tests. The defaults report the catalog's example target: 南苑森林湿地公园
/// (<c>nanyuan-forest-wetland-park</c>) open to 2 037 mu (<c>open-area</c>, <c>mu</c>) on 2023-11-30, by
/// <c>south-axis-pmo</c>. Each <c>With…</c> sets one field, including values the service refuses.
/// </summary>
public sealed class ProgressReportedBuilder
{
    Guid eventId = Guid.NewGuid();
    string? projectId = "nanyuan-forest-wetland-park";
    string? metric = "open-area";
    decimal value = 2037m;
    string? unit = "mu";
    DateTimeOffset occurredAt = new(2023, 11, 30, 17, 0, 0, TimeSpan.FromHours(8));
    DateTimeOffset? reportedAt = new DateTimeOffset(2023, 11, 30, 18, 0, 0, TimeSpan.FromHours(8));
    string? sourceSystem = "south-axis-pmo";
    string? note = "开放面积达到2037亩";

    /// <summary>Sets <see cref="ProgressReported.EventId"/>; <see cref="Guid.Empty"/> counts as missing.</summary>
    public ProgressReportedBuilder WithEventId(Guid value) { eventId = value; return this; }

    /// <summary>Sets <see cref="ProgressReported.ProjectId"/>; null or blank counts as missing.</summary>
    public ProgressReportedBuilder WithProjectId(string? value) { projectId = value; return this; }

    /// <summary>Sets <see cref="ProgressReported.Metric"/>; null or blank counts as missing.</summary>
    public ProgressReportedBuilder WithMetric(string? value) { metric = value; return this; }

    /// <summary>Sets <see cref="ProgressReported.Value"/>; a negative value is refused.</summary>
    public ProgressReportedBuilder WithValue(decimal value) { this.value = value; return this; }

    /// <summary>Sets <see cref="ProgressReported.Unit"/>; null or blank counts as missing, another unit than the target's is refused.</summary>
    public ProgressReportedBuilder WithUnit(string? value) { unit = value; return this; }

    /// <summary>Sets <see cref="ProgressReported.OccurredAt"/>; <c>default</c> counts as missing.</summary>
    public ProgressReportedBuilder WithOccurredAt(DateTimeOffset value) { occurredAt = value; return this; }

    /// <summary>Sets <see cref="ProgressReported.ReportedAt"/>; null means "when it occurred".</summary>
    public ProgressReportedBuilder WithReportedAt(DateTimeOffset? value) { reportedAt = value; return this; }

    /// <summary>Sets <see cref="ProgressReported.SourceSystem"/>.</summary>
    public ProgressReportedBuilder WithSourceSystem(string? value) { sourceSystem = value; return this; }

    /// <summary>Sets <see cref="ProgressReported.Note"/>.</summary>
    public ProgressReportedBuilder WithNote(string? value) { note = value; return this; }

    /// <summary>The message.</summary>
    public ProgressReported Build() => new()
    {
        EventId = eventId,
        ProjectId = projectId!,
        Metric = metric!,
        Value = value,
        Unit = unit!,
        OccurredAt = occurredAt,
        ReportedAt = reportedAt,
        SourceSystem = sourceSystem,
        Note = note,
    };
}
