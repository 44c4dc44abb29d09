using Milestones.Contracts;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;

namespace Milestones.Worker.Consumers;

/// <summary>
/// Reads the inbound wire contracts into the domain's inputs (and a catalog entry back into its wire shape, the inverse
/// of a registration's). The announcements go the other way in <c>Outbox/OutboundMapping</c>.
/// </summary>
static class InboundMapping
{
    /// <summary>
    /// <paramref name="source"/>: the publisher as resolved from its broker identity. Publishers outside .NET can send
    /// JSON null for a required string; it arrives as null despite the contract's annotations and is reported by
    /// validation as a missing field, not as a crash.
    /// </summary>
    public static MilestoneEvent ToDomain(this MilestoneReached message, string source) => new()
    {
        EventId = message.EventId,
        ProjectId = message.ProjectId ?? string.Empty,
        MilestoneCode = message.MilestoneCode ?? string.Empty,
        OccurredAt = message.OccurredAt,
        ReportedAt = message.ReportedAt,
        SourceSystem = source,
        Note = message.Note,
        EvidenceUrl = message.EvidenceUrl,
    };

    /// <inheritdoc cref="ToDomain(MilestoneReached, string)"/>
    public static Retraction ToDomain(this MilestoneRetracted message, string source) => new()
    {
        EventId = message.EventId,
        ProjectId = message.ProjectId ?? string.Empty,
        RetractedEventId = message.RetractedEventId,
        Reason = message.Reason ?? string.Empty,
        RetractedAt = message.RetractedAt,
        SourceSystem = source,
    };

    /// <inheritdoc cref="ToDomain(MilestoneReached, string)"/>
    public static ProgressReport ToDomain(this ProgressReported message, string source) => new()
    {
        EventId = message.EventId,
        ProjectId = message.ProjectId ?? string.Empty,
        Metric = message.Metric ?? string.Empty,
        Value = message.Value,
        Unit = message.Unit ?? string.Empty,
        OccurredAt = message.OccurredAt,
        ReportedAt = message.ReportedAt ?? message.OccurredAt,
        SourceSystem = source,
        Note = message.Note,
    };

    /// <summary>
    /// <inheritdoc cref="ToDomain(MilestoneReached, string)"/> A registration without an entry maps to an entry without an
    /// id, which validation refuses as a missing field.
    /// </summary>
    public static CatalogRegistration ToDomain(this ProjectRegistered message, string source) => new()
    {
        EventId = message.EventId,
        Definition = ToDefinition(message.Project, message.Revision),
        RegisteredAt = message.RegisteredAt,
        SourceSystem = source,
        Note = message.Note,
    };

    static ProjectDefinition ToDefinition(CatalogEntry? entry, int revision) => new()
    {
        Id = entry?.Id ?? string.Empty,
        NameZh = entry?.NameZh ?? string.Empty,
        NameEn = entry?.NameEn ?? string.Empty,
        Area = entry?.Area ?? string.Empty,
        AreaEn = entry?.AreaEn,
        Kind = entry?.Kind,
        ExistsSince = entry?.ExistsSince ?? default,
        Plan = new MilestonePlan(entry?.Plan?.Milestones ?? [], entry?.Plan?.Required ?? []),
        Targets = (entry?.Targets ?? []).Select(t => new QuantitativeTarget(t.Metric ?? string.Empty, t.Unit ?? string.Empty, t.Baseline, t.Target, t.Required, t.Text)).ToList(),
        Schedule = (entry?.Schedule ?? []).Select(s => new ScheduledMilestone(s.Milestone ?? string.Empty, s.Due, s.Text)).ToList(),
        Reporters = entry?.Reporters ?? [],
        Revision = revision,
    };

    /// <summary>A catalog entry in its wire shape (the export and the publisher kit write entries this way).</summary>
    public static CatalogEntry ToContract(this ProjectDefinition project) => new()
    {
        Id = project.Id,
        NameZh = project.NameZh,
        NameEn = project.NameEn,
        Area = project.Area,
        AreaEn = project.AreaEn,
        Kind = project.Kind,
        ExistsSince = project.ExistsSince,
        Plan = new CatalogPlan(project.Plan.Milestones, project.Plan.Required),
        Targets = project.Targets.Select(t => new CatalogTarget(t.Metric, t.Unit, t.Baseline, t.Target, t.Required, t.Text)).ToList(),
        Schedule = project.Schedule.Select(s => new CatalogScheduleItem(s.Milestone, s.Due, s.Text)).ToList(),
        Reporters = project.Reporters,
    };
}
