using Milestones.Domain.Storage;

namespace Milestones.Domain.Projects;

/// <summary>
/// Something the service announces about a project because it changed: a completion, a reopening, a target met, a
/// milestone overdue, or (for downstream projections) an event recorded. Each is decided once per transition and carries
/// a deterministic transport message id, so a publish repeated after a crash carries the same id and consumers can
/// de-duplicate on it.
/// </summary>
public abstract record ProjectAnnouncement(string ProjectId)
{
    /// <summary>The transport message id: derived from the project and the transition only.</summary>
    public abstract Guid MessageId { get; }
}

/// <summary>The decision that a project is complete, taken once per completion.</summary>
/// <param name="ProjectId">The project.</param>
/// <param name="CompletionNumber">1 for the first completion; counts up if the project is reopened and completed again.</param>
/// <param name="CompletedAt">The latest of the required milestones' times and the required targets' met times.</param>
/// <param name="Milestones">The required milestones as reached at the moment of completion.</param>
/// <param name="TriggeringEventId">The event whose arrival completed the project.</param>
public sealed record ProjectCompletion(
    string ProjectId,
    int CompletionNumber,
    DateTimeOffset CompletedAt,
    IReadOnlyList<ReachedMilestone> Milestones,
    Guid TriggeringEventId) : ProjectAnnouncement(ProjectId)
{
    /// <summary>The required targets and the values that met them at the moment of completion; empty when the plan requires none.</summary>
    public IReadOnlyList<MetTarget> Targets { get; init; } = [];

    public override Guid MessageId => DeterministicGuid.Create($"milestones/project-completed/{ProjectId}/{CompletionNumber}");
}

/// <summary>A target and the reading that meets it.</summary>
public sealed record MetTarget(decimal Target, ProgressReading Reading);

/// <summary>What made a complete project incomplete.</summary>
public enum ReopenCause
{
    /// <summary>A report it depended on was withdrawn.</summary>
    Retraction,

    /// <summary>A later progress report took a required target back below.</summary>
    Progress,

    /// <summary>A registration amended the plan: a milestone or target it now requires is missing.</summary>
    PlanAmended,
}

/// <summary>The decision that a complete project is complete no longer, taken once per reopening.</summary>
/// <param name="ProjectId">The project.</param>
/// <param name="ReopenNumber">1 for the first reopening; reopening number n follows completion number n.</param>
/// <param name="MissingMilestones">The required milestones the project no longer has, in plan order.</param>
/// <param name="Retraction">The retraction that reopened it, when <see cref="Cause"/> is <see cref="ReopenCause.Retraction"/>.</param>
public sealed record ProjectReopening(
    string ProjectId,
    int ReopenNumber,
    IReadOnlyList<string> MissingMilestones,
    RetractionRecord? Retraction) : ProjectAnnouncement(ProjectId)
{
    public ReopenCause Cause { get; init; } = ReopenCause.Retraction;

    /// <summary>The event that reopened it: the retraction's id, or the progress report's or registration's.</summary>
    public Guid TriggeringEventId { get; init; }

    /// <summary>The source of that event.</summary>
    public string TriggeredBy { get; init; } = string.Empty;

    /// <summary>The retraction's reason, or a sentence saying what else reopened it.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The required targets the project no longer meets, by metric.</summary>
    public IReadOnlyList<string> UnmetTargets { get; init; } = [];

    public override Guid MessageId => DeterministicGuid.Create($"milestones/project-reopened/{ProjectId}/{ReopenNumber}");
}

/// <summary>The decision that a target is met, taken each time it becomes met.</summary>
/// <param name="ProjectId">The project.</param>
/// <param name="Metric">The target's metric.</param>
/// <param name="Number">1 the first time; counts up when it is met again after a correction took it below.</param>
/// <param name="Target">The target value.</param>
/// <param name="Reading">The reading that meets it.</param>
/// <param name="TriggeringEventId">The event that made it met (a progress report, or a registration that lowered the target).</param>
public sealed record TargetAchievement(
    string ProjectId,
    string Metric,
    int Number,
    decimal Target,
    ProgressReading Reading,
    Guid TriggeringEventId) : ProjectAnnouncement(ProjectId)
{
    public override Guid MessageId => DeterministicGuid.Create($"milestones/target-met/{ProjectId}/{Metric}/{Number}");
}

/// <summary>The finding that a planned milestone is overdue, announced once per project, milestone and due date.</summary>
/// <param name="ProjectId">The project.</param>
/// <param name="MilestoneCode">The milestone that is late.</param>
/// <param name="Due">Its due day.</param>
/// <param name="DetectedAt">When the schedule watch found it.</param>
/// <param name="DaysLate">Whole days after the due day's end, at <paramref name="DetectedAt"/>.</param>
public sealed record OverdueNotice(
    string ProjectId,
    string MilestoneCode,
    DateOnly Due,
    DateTimeOffset DetectedAt,
    int DaysLate) : ProjectAnnouncement(ProjectId)
{
    public override Guid MessageId => DeterministicGuid.Create($"milestones/milestone-overdue/{ProjectId}/{MilestoneCode}/{Due:yyyy-MM-dd}");
}

/// <summary>An event was recorded: the feed item downstream projections read, one per recorded event.</summary>
/// <param name="Event">The event as recorded.</param>
/// <param name="Changed">Whether it changed the project's state.</param>
/// <param name="ProjectComplete">Whether the project is complete after it.</param>
public sealed record EventRecordedNotice(EventRecord Event, bool Changed, bool ProjectComplete) : ProjectAnnouncement(Event.ProjectId)
{
    public override Guid MessageId => DeterministicGuid.Create($"milestones/milestone-recorded/{Event.EventId:D}");
}
