namespace Milestones.Contracts.Testing;

/// <summary>
/// Builds a <see cref="MilestoneReached"/> for tests. The defaults are the README's example, a report the service and
/// <see cref="Validation.MessageValidator"/> accept with the checked-in catalog: 丽泽城市航站楼 (<c>lize-city-terminal</c>)
/// topped out on 2023-09-30, reported by <c>lize-pmo</c>, with a fresh event id per builder. Each <c>With…</c> sets one
/// field, including values the service refuses (null, <see cref="Guid.Empty"/>, an oversize note), to make a bad message.
/// </summary>
public sealed class MilestoneReachedBuilder
{
    Guid eventId = Guid.NewGuid();
    string? projectId = "lize-city-terminal";
    string? milestoneCode = "topped-out";
    DateTimeOffset occurredAt = new(2023, 9, 30, 10, 0, 0, TimeSpan.FromHours(8));
    DateTimeOffset reportedAt = new(2023, 9, 30, 18, 0, 0, TimeSpan.FromHours(8));
    string? sourceSystem = "lize-pmo";
    string? note = "结构封顶";
    string? evidenceUrl = "https://example.org/notices/123";

    /// <summary>Sets <see cref="MilestoneReached.EventId"/>; <see cref="Guid.Empty"/> counts as missing.</summary>
    public MilestoneReachedBuilder WithEventId(Guid value) { eventId = value; return this; }

    /// <summary>Sets <see cref="MilestoneReached.ProjectId"/>; null or blank counts as missing.</summary>
    public MilestoneReachedBuilder WithProjectId(string? value) { projectId = value; return this; }

    /// <summary>Sets <see cref="MilestoneReached.MilestoneCode"/>; null or blank counts as missing.</summary>
    public MilestoneReachedBuilder WithMilestoneCode(string? value) { milestoneCode = value; return this; }

    /// <summary>Sets <see cref="MilestoneReached.OccurredAt"/>; <c>default</c> counts as missing.</summary>
    public MilestoneReachedBuilder WithOccurredAt(DateTimeOffset value) { occurredAt = value; return this; }

    /// <summary>Sets <see cref="MilestoneReached.ReportedAt"/>; <c>default</c> counts as missing.</summary>
    public MilestoneReachedBuilder WithReportedAt(DateTimeOffset value) { reportedAt = value; return this; }

    /// <summary>Sets both times: it happened at <paramref name="occurredAt"/> and was reported <paramref name="after"/> (default 8 hours) later.</summary>
    public MilestoneReachedBuilder At(DateTimeOffset occurredAt, TimeSpan? after = null)
    {
        this.occurredAt = occurredAt;
        reportedAt = occurredAt + (after ?? TimeSpan.FromHours(8));
        return this;
    }

    /// <summary>Sets <see cref="MilestoneReached.SourceSystem"/>: the publisher's broker user, or null to leave it to <c>user_id</c>.</summary>
    public MilestoneReachedBuilder WithSourceSystem(string? value) { sourceSystem = value; return this; }

    /// <summary>Sets <see cref="MilestoneReached.Note"/>.</summary>
    public MilestoneReachedBuilder WithNote(string? value) { note = value; return this; }

    /// <summary>Sets <see cref="MilestoneReached.EvidenceUrl"/>.</summary>
    public MilestoneReachedBuilder WithEvidenceUrl(string? value) { evidenceUrl = value; return this; }

    /// <summary>The message.</summary>
    public MilestoneReached Build() => new()
    {
        EventId = eventId,
        ProjectId = projectId!,
        MilestoneCode = milestoneCode!,
        OccurredAt = occurredAt,
        ReportedAt = reportedAt,
        SourceSystem = sourceSystem,
        Note = note,
        EvidenceUrl = evidenceUrl,
    };
}
