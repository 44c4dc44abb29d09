using System.Text.Json.Serialization;
using Milestones.Domain;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;

namespace Milestones.Worker.Api;

/// <summary>A project in the list: what it still needs, the revision of its entry and the milestones overdue now.</summary>
public sealed record ProjectSummary(
    string Id, string NameZh, string NameEn, string Area, bool IsComplete, int CompletionCount, int ReopenCount,
    IReadOnlyList<string> Reached, IReadOnlyList<string> Required, IReadOnlyList<string> Missing,
    int Revision, IReadOnlyList<OverdueMilestone> Overdue)
{
    public static ProjectSummary From(ProjectDefinition project, ProjectState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(state);
        return new(
            project.Id, project.NameZh, project.NameEn, project.Area, state.IsComplete, state.CompletionCount, state.ReopenCount,
            state.Reached.Keys.OrderBy(MilestoneVocabulary.Order).ToList(),
            project.Plan.Required,
            project.Plan.Required.Where(code => !state.Reached.ContainsKey(code)).ToList(),
            project.Revision,
            state.Overdue(project, now).Select(s => new OverdueMilestone(s.Milestone, s.Due, s.DaysLate(now))).ToList());
    }
}

/// <summary>A scheduled milestone not reached by the end of its due day (China Standard Time), and how many whole days since.</summary>
public sealed record OverdueMilestone(string Milestone, DateOnly Due, int DaysLate);

/// <summary>
/// One project: its entry's revision and where the entry comes from, each milestone of its plan and who reached it when,
/// its targets with their latest values, its schedule planned against actual, and the report's words on it.
/// </summary>
public sealed record ProjectDetail(
    string Id, string NameZh, string NameEn, string Area, string? AreaEn, bool IsComplete, int CompletionCount, int ReopenCount,
    DateTimeOffset? CompletedAt, IReadOnlyList<MilestoneStatus> Milestones, IReadOnlyList<TargetStatus> Targets, ReportExtract Report,
    int Revision, EntrySource Source, IReadOnlyList<ScheduleStatus> Schedule)
{
    public static ProjectDetail From(ProjectDefinition project, ProjectState state, ProjectRegistration? registration, CatalogSource? file, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(state);
        return new(
            project.Id, project.NameZh, project.NameEn, project.Area, project.AreaEn, state.IsComplete, state.CompletionCount, state.ReopenCount,
            state.CompletedAt(CompletionRule.Of(project)),
            project.Plan.Milestones
                .Select(code => new MilestoneStatus(code, project.Plan.Required.Contains(code), state.Reached.GetValueOrDefault(code)))
                .ToList(),
            project.Targets.Select(t => TargetStatus.From(t, state)).ToList(),
            project.Report,
            project.Revision,
            registration is not null && registration.Revision == project.Revision
                ? new EntrySource(EntrySource.Registration, null, registration.RegisteredBy, registration.EventId, registration.RegisteredAt)
                : new EntrySource(EntrySource.CatalogFile, file?.Title, null, null, null),
            project.Schedule.Select(s => ScheduleStatus.From(s, state, now)).ToList());
    }
}

public sealed record MilestoneStatus(string Code, bool Required, ReachedMilestone? Reached);

/// <summary>
/// Where the entry in force comes from: the checked-in catalog file (<c>kind: "catalog-file"</c>, with the catalog's title), or a
/// registration (<c>kind: "registration"</c>: the registrar, the registration's event id and when it was made).
/// </summary>
public sealed record EntrySource(
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Title,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RegisteredBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? EventId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? RegisteredAt)
{
    public const string CatalogFile = "catalog-file";
    public const string Registration = "registration";
}

/// <summary>
/// A target with its metric's latest value (by when it was measured): whether that value meets it now, and how many times
/// it became met. <c>value</c>, <c>measuredAt</c> and <c>reportedBy</c> are null until a progress report arrives.
/// </summary>
public sealed record TargetStatus(
    string Metric, string Unit, decimal? Baseline, decimal Target, bool Required, string? Text,
    decimal? Value, DateTimeOffset? MeasuredAt, string? ReportedBy, bool Met, int TimesMet)
{
    public static TargetStatus From(QuantitativeTarget target, ProjectState state)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(state);
        var reading = state.Progress.GetValueOrDefault(target.Metric);
        return new(target.Metric, target.Unit, target.Baseline, target.Target, target.Required, target.Text,
            reading?.Value, reading?.OccurredAt, reading?.SourceSystem, state.Meets(target),
            state.TargetsMet.GetValueOrDefault(target.Metric)?.TimesMet ?? 0);
    }
}

/// <summary>
/// A scheduled milestone, planned against actual: its due date (the last day it is on time, in China Standard Time) and
/// the report's words for it; when it was reached (null while not); whether it is <c>late</c> (reached after its due day,
/// or not reached and past it) and by how many whole days (<c>daysLate</c>, 0 on the first day after; null when on time
/// or not due yet); and whether it is <c>overdue</c> now: not reached and past its due day.
/// </summary>
public sealed record ScheduleStatus(string Milestone, DateOnly Due, string? Text, DateTimeOffset? ReachedAt, bool Late, int? DaysLate, bool Overdue)
{
    public static ScheduleStatus From(ScheduledMilestone item, ProjectState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(state);
        var reachedAt = state.Reached.GetValueOrDefault(item.Milestone)?.OccurredAt;
        var measuredAt = reachedAt ?? now;
        var late = measuredAt >= item.DueEnd;
        return new(item.Milestone, item.Due, item.Text, reachedAt, late, late ? item.DaysLate(measuredAt) : null, reachedAt is null && late);
    }
}
