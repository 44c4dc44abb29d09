using Milestones.Contracts;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Outbox;

/// <summary>Writes the domain's announcements as the outbound wire contracts the dispatcher publishes.</summary>
static class OutboundMapping
{
    public static ProjectCompleted ToContract(this ProjectCompletion completion, string projectName) => new()
    {
        ProjectId = completion.ProjectId,
        ProjectName = projectName,
        CompletionNumber = completion.CompletionNumber,
        CompletedAt = completion.CompletedAt,
        Milestones = completion.Milestones.Select(m => new CompletingMilestone(m.Code, m.OccurredAt, m.EventId)).ToList(),
        TriggeringEventId = completion.TriggeringEventId,
        Targets = completion.Targets.Count == 0
            ? null
            : completion.Targets.Select(t => new CompletingTarget(t.Reading.Metric, t.Target, t.Reading.Value, t.Reading.Unit, t.Reading.OccurredAt, t.Reading.EventId)).ToList(),
    };

    public static ProjectReopened ToContract(this ProjectReopening reopening, string projectName) => new()
    {
        ProjectId = reopening.ProjectId,
        ProjectName = projectName,
        ReopenNumber = reopening.ReopenNumber,
        MissingMilestones = reopening.MissingMilestones,
        RetractionEventId = reopening.Retraction?.RetractionEventId ?? reopening.TriggeringEventId,
        RetractedEventId = reopening.Retraction?.RetractedEventId ?? Guid.Empty,
        RetractedBy = reopening.Retraction?.RetractedBy ?? reopening.TriggeredBy,
        Reason = reopening.Retraction?.Reason ?? reopening.Reason,
        Cause = reopening.Cause switch
        {
            ReopenCause.Progress => "progress",
            ReopenCause.PlanAmended => "plan-amended",
            _ => "retraction",
        },
        TriggeringEventId = reopening.Retraction?.RetractionEventId ?? reopening.TriggeringEventId,
        UnmetTargets = reopening.UnmetTargets,
    };

    public static TargetMet ToContract(this TargetAchievement achievement, string projectName) => new()
    {
        ProjectId = achievement.ProjectId,
        ProjectName = projectName,
        Metric = achievement.Metric,
        Number = achievement.Number,
        Target = achievement.Target,
        Value = achievement.Reading.Value,
        Unit = achievement.Reading.Unit,
        MetAt = achievement.Reading.OccurredAt,
        TriggeringEventId = achievement.TriggeringEventId,
    };

    public static MilestoneOverdue ToContract(this OverdueNotice notice, string projectName) => new()
    {
        ProjectId = notice.ProjectId,
        ProjectName = projectName,
        MilestoneCode = notice.MilestoneCode,
        DueDate = notice.Due,
        DetectedAt = notice.DetectedAt,
        DaysLate = notice.DaysLate,
    };

    public static MilestoneRecorded ToContract(this EventRecordedNotice notice)
    {
        var e = notice.Event;
        return new()
        {
            EventId = e.EventId,
            ProjectId = e.ProjectId,
            Kind = EventKinds.Code(e.Kind),
            MilestoneCode = e.Kind is EventKind.Report or EventKind.Retraction or EventKind.Overdue ? e.MilestoneCode : null,
            Metric = e.Progress?.Metric,
            Value = e.Progress?.Value,
            Unit = e.Progress?.Unit,
            RetractedEventId = e.RetractedEventId,
            Revision = e.Revision,
            OccurredAt = e.OccurredAt,
            RecordedAt = e.RecordedAt,
            SourceSystem = e.SourceSystem,
            Changed = notice.Changed,
            ProjectComplete = notice.ProjectComplete,
        };
    }
}
