namespace Milestones.Contracts.Testing;

/// <summary>
/// Builds a <see cref="ProjectCompleted"/> for a subscriber's tests: by default the first completion of 地铁16号线南段
/// (<c>subway-16-south</c>), opened on 2022-12-30, as the service publishes it.
/// </summary>
public sealed class ProjectCompletedBuilder
{
    string projectId = "subway-16-south";
    string projectName = "地铁16号线南段";
    int completionNumber = 1;
    DateTimeOffset completedAt = new(2022, 12, 30, 10, 0, 0, TimeSpan.FromHours(8));
    readonly List<CompletingMilestone> milestones = [];
    Guid triggeringEventId = Guid.NewGuid();
    List<CompletingTarget>? targets;

    /// <summary>Sets the project's id and Chinese name.</summary>
    public ProjectCompletedBuilder ForProject(string id, string name) { projectId = id; projectName = name; return this; }

    /// <summary>Sets <see cref="ProjectCompleted.CompletionNumber"/>.</summary>
    public ProjectCompletedBuilder WithCompletionNumber(int value) { completionNumber = value; return this; }

    /// <summary>Sets <see cref="ProjectCompleted.CompletedAt"/>.</summary>
    public ProjectCompletedBuilder WithCompletedAt(DateTimeOffset value) { completedAt = value; return this; }

    /// <summary>Adds a completing milestone (by default, reached at <see cref="ProjectCompleted.CompletedAt"/> by the triggering event).</summary>
    public ProjectCompletedBuilder WithMilestone(string code, DateTimeOffset? occurredAt = null, Guid? eventId = null)
    {
        milestones.Add(new CompletingMilestone(code, occurredAt ?? completedAt, eventId ?? triggeringEventId));
        return this;
    }

    /// <summary>Adds a completing target.</summary>
    public ProjectCompletedBuilder WithTarget(string metric, decimal target, decimal value, string unit, DateTimeOffset metAt, Guid eventId)
    {
        (targets ??= []).Add(new CompletingTarget(metric, target, value, unit, metAt, eventId));
        return this;
    }

    /// <summary>Sets <see cref="ProjectCompleted.TriggeringEventId"/>.</summary>
    public ProjectCompletedBuilder WithTriggeringEventId(Guid value) { triggeringEventId = value; return this; }

    /// <summary>The message; without a milestone added, the project's <c>opened</c>, reached by the triggering event.</summary>
    public ProjectCompleted Build() => new()
    {
        ProjectId = projectId,
        ProjectName = projectName,
        CompletionNumber = completionNumber,
        CompletedAt = completedAt,
        Milestones = milestones.Count > 0 ? [.. milestones] : [new CompletingMilestone("opened", completedAt, triggeringEventId)],
        TriggeringEventId = triggeringEventId,
        Targets = targets?.ToList(),
    };
}

/// <summary>
/// Builds a <see cref="ProjectReopened"/> for a subscriber's tests: by default the first reopening of
/// <c>subway-16-south</c> after <c>metro-operator</c> retracted its <c>opened</c> report.
/// </summary>
public sealed class ProjectReopenedBuilder
{
    string projectId = "subway-16-south";
    string projectName = "地铁16号线南段";
    int reopenNumber = 1;
    List<string> missingMilestones = ["opened"];
    Guid triggeringEventId = Guid.NewGuid();
    Guid retractedEventId = Guid.NewGuid();
    string by = "metro-operator";
    string reason = "误报";
    string cause = "retraction";
    List<string>? unmetTargets;

    /// <summary>Sets the project's id and Chinese name.</summary>
    public ProjectReopenedBuilder ForProject(string id, string name) { projectId = id; projectName = name; return this; }

    /// <summary>Sets <see cref="ProjectReopened.ReopenNumber"/>.</summary>
    public ProjectReopenedBuilder WithReopenNumber(int value) { reopenNumber = value; return this; }

    /// <summary>Sets <see cref="ProjectReopened.MissingMilestones"/>.</summary>
    public ProjectReopenedBuilder WithMissingMilestones(params string[] codes) { missingMilestones = [.. codes]; return this; }

    /// <summary>Sets <see cref="ProjectReopened.UnmetTargets"/>.</summary>
    public ProjectReopenedBuilder WithUnmetTargets(params string[] metrics) { unmetTargets = [.. metrics]; return this; }

    /// <summary>
    /// Sets <see cref="ProjectReopened.Cause"/> (<c>retraction</c>, <c>progress</c>, <c>plan-amended</c>), the event that
    /// caused it, who sent it and why; for another cause than a retraction the retracted event id is the empty id.
    /// </summary>
    public ProjectReopenedBuilder CausedBy(string cause, Guid eventId, string by, string reason)
    {
        this.cause = cause;
        triggeringEventId = eventId;
        this.by = by;
        this.reason = reason;
        if (cause != "retraction")
        {
            retractedEventId = Guid.Empty;
        }
        return this;
    }

    /// <summary>Sets <see cref="ProjectReopened.RetractedEventId"/>: the report withdrawn.</summary>
    public ProjectReopenedBuilder WithRetractedEventId(Guid value) { retractedEventId = value; return this; }

    /// <summary>The message.</summary>
    public ProjectReopened Build() => new()
    {
        ProjectId = projectId,
        ProjectName = projectName,
        ReopenNumber = reopenNumber,
        MissingMilestones = [.. missingMilestones],
        RetractionEventId = triggeringEventId,
        RetractedEventId = retractedEventId,
        RetractedBy = by,
        Reason = reason,
        Cause = cause,
        TriggeringEventId = triggeringEventId,
        UnmetTargets = unmetTargets?.ToList(),
    };
}

/// <summary>Builds a <see cref="TargetMet"/> for a subscriber's tests: by default 南苑森林湿地公园's open area meeting 2 037 mu.</summary>
public sealed class TargetMetBuilder
{
    string projectId = "nanyuan-forest-wetland-park";
    string projectName = "南苑森林湿地公园";
    string metric = "open-area";
    int number = 1;
    decimal target = 2037m;
    decimal value = 2037m;
    string unit = "mu";
    DateTimeOffset metAt = new(2023, 11, 30, 17, 0, 0, TimeSpan.FromHours(8));
    Guid triggeringEventId = Guid.NewGuid();

    /// <summary>Sets the project's id and Chinese name.</summary>
    public TargetMetBuilder ForProject(string id, string name) { projectId = id; projectName = name; return this; }

    /// <summary>Sets the metric, the target and the unit.</summary>
    public TargetMetBuilder ForTarget(string metric, decimal target, string unit) { this.metric = metric; this.target = target; this.unit = unit; return this; }

    /// <summary>Sets the value that met it and when it was measured.</summary>
    public TargetMetBuilder MetBy(decimal value, DateTimeOffset at) { this.value = value; metAt = at; return this; }

    /// <summary>Sets <see cref="TargetMet.Number"/>.</summary>
    public TargetMetBuilder WithNumber(int value) { number = value; return this; }

    /// <summary>Sets <see cref="TargetMet.TriggeringEventId"/>.</summary>
    public TargetMetBuilder WithTriggeringEventId(Guid value) { triggeringEventId = value; return this; }

    /// <summary>The message.</summary>
    public TargetMet Build() => new()
    {
        ProjectId = projectId,
        ProjectName = projectName,
        Metric = metric,
        Number = number,
        Target = target,
        Value = value,
        Unit = unit,
        MetAt = metAt,
        TriggeringEventId = triggeringEventId,
    };
}

/// <summary>Builds a <see cref="MilestoneOverdue"/> for a subscriber's tests: by default 方庄文化艺术中心 not completed by 2023-12-31, noticed the next day.</summary>
public sealed class MilestoneOverdueBuilder
{
    string projectId = "fangzhuang-culture-arts-center";
    string projectName = "方庄文化艺术中心";
    string milestoneCode = "completed";
    DateOnly dueDate = new(2023, 12, 31);
    DateTimeOffset detectedAt = new(2024, 1, 1, 0, 0, 1, TimeSpan.FromHours(8));
    int daysLate;

    /// <summary>Sets the project's id and Chinese name.</summary>
    public MilestoneOverdueBuilder ForProject(string id, string name) { projectId = id; projectName = name; return this; }

    /// <summary>Sets the milestone and its due date.</summary>
    public MilestoneOverdueBuilder ForMilestone(string code, DateOnly due) { milestoneCode = code; dueDate = due; return this; }

    /// <summary>Sets when it was noticed and how many whole days late it was then.</summary>
    public MilestoneOverdueBuilder DetectedAt(DateTimeOffset at, int daysLate) { detectedAt = at; this.daysLate = daysLate; return this; }

    /// <summary>The message.</summary>
    public MilestoneOverdue Build() => new()
    {
        ProjectId = projectId,
        ProjectName = projectName,
        MilestoneCode = milestoneCode,
        DueDate = dueDate,
        DetectedAt = detectedAt,
        DaysLate = daysLate,
    };
}

/// <summary>
/// Builds a <see cref="MilestoneRecorded"/> for a subscriber's tests: by default the feed item of a recorded milestone
/// report (<see cref="FromReport"/> or <see cref="FromProgress"/> copy an input's fields).
/// </summary>
public sealed class MilestoneRecordedBuilder
{
    MilestoneRecorded message;

    /// <summary>The feed item the service publishes for a recorded <paramref name="report"/> (<c>reached</c>).</summary>
    public static MilestoneRecordedBuilder FromReport(MilestoneReached report) => new(Reached(report));

    static MilestoneRecorded Reached(MilestoneReached report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new MilestoneRecorded
        {
            EventId = report.EventId,
            ProjectId = report.ProjectId,
            Kind = "reached",
            MilestoneCode = report.MilestoneCode,
            OccurredAt = report.OccurredAt,
            RecordedAt = report.ReportedAt,
            SourceSystem = report.SourceSystem ?? string.Empty,
            Changed = true,
            ProjectComplete = false,
        };
    }

    /// <summary>The feed item the service publishes for a recorded <paramref name="report"/> (<c>progress</c>).</summary>
    public static MilestoneRecordedBuilder FromProgress(ProgressReported report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new MilestoneRecordedBuilder(new MilestoneRecorded
        {
            EventId = report.EventId,
            ProjectId = report.ProjectId,
            Kind = "progress",
            Metric = report.Metric,
            Value = report.Value,
            Unit = report.Unit,
            OccurredAt = report.OccurredAt,
            RecordedAt = report.ReportedAt ?? report.OccurredAt,
            SourceSystem = report.SourceSystem ?? string.Empty,
            Changed = true,
            ProjectComplete = false,
        });
    }

    /// <summary>A builder with the default feed item.</summary>
    public MilestoneRecordedBuilder()
        : this(Reached(new MilestoneReachedBuilder().Build()))
    {
    }

    MilestoneRecordedBuilder(MilestoneRecorded message) => this.message = message;

    /// <summary>Sets <see cref="MilestoneRecorded.RecordedAt"/>.</summary>
    public MilestoneRecordedBuilder WithRecordedAt(DateTimeOffset value) { message = message with { RecordedAt = value }; return this; }

    /// <summary>Sets <see cref="MilestoneRecorded.Changed"/>: false for a report that changed nothing.</summary>
    public MilestoneRecordedBuilder WithChanged(bool value) { message = message with { Changed = value }; return this; }

    /// <summary>Sets <see cref="MilestoneRecorded.ProjectComplete"/>.</summary>
    public MilestoneRecordedBuilder WithProjectComplete(bool value) { message = message with { ProjectComplete = value }; return this; }

    /// <summary>The message.</summary>
    public MilestoneRecorded Build() => message;
}
