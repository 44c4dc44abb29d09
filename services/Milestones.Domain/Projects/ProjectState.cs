using System.Collections.Immutable;
using Milestones.Domain.Catalog;

namespace Milestones.Domain.Projects;

/// <summary>
/// Where a project stands: the milestones it has reached, its targets' values, the reports withdrawn from it, the catalog
/// entry registered for it, the overdue milestones already announced, and whether it is complete.
/// <para>
/// Reports merge (per milestone, the earliest report wins), so the state reached from a set of reports is the same in
/// any order and with any number of redeliveries. A retraction removes its report from that set: the state becomes what
/// the remaining reports give, whether the retraction comes after the report or before it (the report is then
/// recorded with no effect). Completion is decided on each transition from incomplete to complete and a reopening on
/// each transition back, so completions and reopenings alternate, one per transition.
/// </para>
/// <para>
/// Progress reports merge the same way: per metric, the report measured last wins (ties broken by event id), so a metric's
/// value is the same in any order. A target is met while that value reaches it; each time it becomes met is announced
/// once. A project whose rule requires a target completes only while the target is met, and a complete project that
/// stops meeting its rule (a retraction, a lower later report, a plan amended to require more) is reopened.
/// </para>
/// <para>The rules in prose, with the guarantees they serve: docs/design.md.</para>
/// </summary>
public sealed record ProjectState
{
    public required string ProjectId { get; init; }

    /// <summary>Reached milestones by stage code: for each, the earliest report not withdrawn.</summary>
    public ImmutableSortedDictionary<string, ReachedMilestone> Reached { get; init; } =
        ImmutableSortedDictionary.Create<string, ReachedMilestone>(StringComparer.Ordinal);

    /// <summary>Retractions by the id of the report they withdraw. Corrections are rare, so this stays small.</summary>
    public ImmutableSortedDictionary<Guid, RetractionRecord> Retractions { get; init; } = ImmutableSortedDictionary<Guid, RetractionRecord>.Empty;

    /// <summary>The value of each reported metric: its latest report not withdrawn.</summary>
    public ImmutableSortedDictionary<string, ProgressReading> Progress { get; init; } =
        ImmutableSortedDictionary.Create<string, ProgressReading>(StringComparer.Ordinal);

    /// <summary>For each target metric ever met: how many times it became met, and whether it is met now.</summary>
    public ImmutableSortedDictionary<string, TargetRecord> TargetsMet { get; init; } =
        ImmutableSortedDictionary.Create<string, TargetRecord>(StringComparer.Ordinal);

    /// <summary>The registered catalog entry stored with the project, if the registrar ever registered one.</summary>
    public ProjectRegistration? Registration { get; init; }

    /// <summary>The overdue milestones already announced, as <c>code/yyyy-MM-dd</c> of the due date.</summary>
    public ImmutableSortedSet<string> OverdueNoticed { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public bool IsComplete { get; init; }

    /// <summary>How many completions have been decided for this project.</summary>
    public int CompletionCount { get; init; }

    /// <summary>How many reopenings have been decided for this project; one less than <see cref="CompletionCount"/> while complete.</summary>
    public int ReopenCount { get; init; }

    public static ProjectState Empty(string projectId) => new() { ProjectId = projectId };

    /// <summary>True when a retraction withdraws this report.</summary>
    public bool IsWithdrawn(Guid eventId, string reportedBy) =>
        Retractions.TryGetValue(eventId, out var retraction) && retraction.Withdraws(reportedBy);

    /// <summary>Applies a validated report of this project.</summary>
    public ProjectDecision Apply(CompletionRule rule, MilestoneEvent e)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(e);
        EnsureSameProject(e.ProjectId, e.EventId);

        var candidate = ReachedMilestone.From(e);
        if (IsWithdrawn(e.EventId, e.SourceSystem)
            || (Reached.TryGetValue(e.MilestoneCode, out var current) && !candidate.Precedes(current)))
        {
            return ProjectDecision.Unchanged(this);
        }
        return (this with { Reached = Reached.SetItem(e.MilestoneCode, candidate) })
            .Settle(rule, new Trigger(e.EventId, e.SourceSystem, ReopenCause.Retraction, null));
    }

    /// <summary>Applies a validated progress report of this project (its metric and unit are the target's).</summary>
    public ProjectDecision Apply(CompletionRule rule, ProgressReport p)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(p);
        EnsureSameProject(p.ProjectId, p.EventId);

        var candidate = p.ToReading();
        if (IsWithdrawn(p.EventId, p.SourceSystem)
            || (Progress.TryGetValue(p.Metric, out var current) && !candidate.Supersedes(current)))
        {
            return ProjectDecision.Unchanged(this);
        }
        return (this with { Progress = Progress.SetItem(p.Metric, candidate) })
            .Settle(rule, new Trigger(p.EventId, p.SourceSystem, ReopenCause.Progress, null));
    }

    /// <summary>
    /// Applies a validated registration of this project's catalog entry. <paramref name="inForce"/> is the entry in force
    /// before it (the file's or an earlier registration's): a registration whose revision is not higher changes nothing.
    /// Otherwise the entry is stored and completion is decided again under its rule.
    /// </summary>
    public ProjectDecision Register(ProjectDefinition? inForce, CatalogRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        EnsureSameProject(registration.ProjectId, registration.EventId);
        if (inForce is not null && registration.Definition.Revision <= inForce.Revision)
        {
            return ProjectDecision.Unchanged(this);
        }
        var reason = $"plan amended to revision {registration.Definition.Revision}";
        return (this with { Registration = registration.ToRegistration() })
            .Settle(CompletionRule.Of(registration.Definition), new Trigger(registration.EventId, registration.SourceSystem, ReopenCause.PlanAmended, null, reason));
    }

    /// <summary>
    /// Notes that a scheduled milestone is overdue: announced the first time for its due date, unchanged afterwards. Null
    /// when it is not overdue (reached meanwhile, or no longer scheduled for that date), so nothing is to be recorded.
    /// </summary>
    public ProjectDecision? NoteOverdue(ProjectDefinition project, OverdueCheck check)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(check);
        EnsureSameProject(check.ProjectId, check.EventId);
        var item = project.Schedule.FirstOrDefault(s => s.Milestone == check.MilestoneCode && s.Due == check.Due);
        if (item is null || Reached.ContainsKey(check.MilestoneCode) || check.DetectedAt < item.DueEnd)
        {
            return null;
        }
        var key = OverdueKey(check.MilestoneCode, check.Due);
        if (OverdueNoticed.Contains(key))
        {
            return ProjectDecision.Unchanged(this);
        }
        var notice = new OverdueNotice(ProjectId, check.MilestoneCode, check.Due, check.DetectedAt, item.DaysLate(check.DetectedAt));
        return new ProjectDecision(this with { OverdueNoticed = OverdueNoticed.Add(key) }, Changed: true, [notice]);
    }

    /// <summary>The key of an overdue announcement in <see cref="OverdueNoticed"/>.</summary>
    public static string OverdueKey(string milestoneCode, DateOnly due) =>
        $"{milestoneCode}/{due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The scheduled milestones of the project that are overdue at <paramref name="now"/>: not reached by the end of their due day.</summary>
    public IReadOnlyList<ScheduledMilestone> Overdue(ProjectDefinition project, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(project);
        return project.Schedule.Where(s => now >= s.DueEnd && !Reached.ContainsKey(s.Milestone)).ToList();
    }

    /// <summary>
    /// Applies a validated retraction of this project. <paramref name="reportsOfMilestone"/>: every recorded report of the
    /// milestone that the withdrawn report is the winning report of (withdrawn or not; the state filters), so that the
    /// next earliest can take its place; empty when the withdrawn report is not a winning report, or not recorded yet.
    /// <para>
    /// <paramref name="readingsOfMetric"/> does the same for a withdrawn progress report: every recorded report of the metric
    /// it is the current value of, so that the next latest takes its place.
    /// </para>
    /// </summary>
    public ProjectDecision Retract(
        CompletionRule rule, RetractionRecord retraction, IEnumerable<ReachedMilestone> reportsOfMilestone, IEnumerable<ProgressReading>? readingsOfMetric = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(retraction);
        ArgumentNullException.ThrowIfNull(reportsOfMilestone);
        if (Retractions.ContainsKey(retraction.RetractedEventId))
        {
            // Withdrawn already: a second retraction of the same report is recorded with no effect.
            return ProjectDecision.Unchanged(this);
        }

        var next = this with { Retractions = Retractions.Add(retraction.RetractedEventId, retraction) };
        if (WinningMilestoneOf(retraction.RetractedEventId) is { } code && retraction.Withdraws(Reached[code].SourceSystem))
        {
            var replacement = reportsOfMilestone
                .Where(m => m.Code == code && !next.IsWithdrawn(m.EventId, m.SourceSystem))
                .Aggregate((ReachedMilestone?)null, (best, m) => best is null || m.Precedes(best) ? m : best);
            next = next with { Reached = replacement is null ? Reached.Remove(code) : Reached.SetItem(code, replacement) };
        }
        if (CurrentMetricOf(retraction.RetractedEventId) is { } metric && retraction.Withdraws(Progress[metric].SourceSystem))
        {
            var replacement = (readingsOfMetric ?? [])
                .Where(r => r.Metric == metric && !next.IsWithdrawn(r.EventId, r.SourceSystem))
                .Aggregate((ProgressReading?)null, (best, r) => best is null || r.Supersedes(best) ? r : best);
            next = next with { Progress = replacement is null ? Progress.Remove(metric) : Progress.SetItem(metric, replacement) };
        }
        return next.Settle(rule, new Trigger(retraction.RetractionEventId, retraction.RetractedBy, ReopenCause.Retraction, retraction, retraction.Reason));
    }

    /// <summary>The metric whose current value this report is, if any.</summary>
    public string? CurrentMetricOf(Guid eventId) =>
        Progress.FirstOrDefault(pair => pair.Value.EventId == eventId) is { Value: not null } pair ? pair.Key : null;

    /// <summary>The milestone whose winning report this is, if any.</summary>
    public string? WinningMilestoneOf(Guid eventId) =>
        Reached.FirstOrDefault(pair => pair.Value.EventId == eventId) is { Value: not null } pair ? pair.Key : null;

    /// <summary>True when the target's metric has a value in the target's unit that reaches it.</summary>
    public bool Meets(QuantitativeTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Progress.TryGetValue(target.Metric, out var reading)
            && string.Equals(reading.Unit, target.Unit, StringComparison.Ordinal)
            && target.IsMetBy(reading.Value);
    }

    /// <summary>True when every milestone the plan requires has been reached and every target it requires is met.</summary>
    public bool Satisfies(CompletionRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Plan.Required.All(Reached.ContainsKey) && rule.RequiredTargets.All(Meets);
    }

    /// <summary>The completion time as the state stands: the latest of the required milestones' and required targets' times.</summary>
    public DateTimeOffset? CompletedAt(CompletionRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return IsComplete && Satisfies(rule)
            ? rule.Plan.Required.Select(code => Reached[code].OccurredAt)
                .Concat(rule.RequiredTargets.Select(t => Progress[t.Metric].OccurredAt))
                .Max()
            : null;
    }

    /// <summary>What caused a change: the event, its source, and how a reopening it makes is to be explained.</summary>
    sealed record Trigger(Guid EventId, string Source, ReopenCause Cause, RetractionRecord? Retraction, string? Reason = null);

    /// <summary>
    /// Decides the transitions the change made: each target that became met, then incomplete → complete or
    /// complete → reopened.
    /// </summary>
    ProjectDecision Settle(CompletionRule rule, Trigger trigger)
    {
        var announcements = new List<ProjectAnnouncement>();
        var state = SettleTargets(rule, trigger.EventId, announcements);
        var satisfied = state.Satisfies(rule);
        if (!state.IsComplete && satisfied)
        {
            var completed = state with { IsComplete = true, CompletionCount = state.CompletionCount + 1 };
            var milestones = rule.Plan.Required.Select(code => state.Reached[code]).ToList();
            var targets = rule.RequiredTargets.Select(t => new MetTarget(t.Target, state.Progress[t.Metric])).ToList();
            var completedAt = milestones.Select(m => m.OccurredAt).Concat(targets.Select(t => t.Reading.OccurredAt)).Max();
            announcements.Add(new ProjectCompletion(ProjectId, completed.CompletionCount, completedAt, milestones, trigger.EventId) { Targets = targets });
            return new ProjectDecision(completed, Changed: true, announcements);
        }
        if (state.IsComplete && !satisfied)
        {
            var reopened = state with { IsComplete = false, ReopenCount = state.ReopenCount + 1 };
            var missing = rule.Plan.Required.Where(code => !state.Reached.ContainsKey(code)).ToList();
            var unmet = rule.RequiredTargets.Where(t => !state.Meets(t)).Select(t => t.Metric).ToList();
            var cause = trigger.Retraction is not null ? ReopenCause.Retraction : trigger.Cause;
            announcements.Add(new ProjectReopening(ProjectId, reopened.ReopenCount, missing, trigger.Retraction)
            {
                Cause = cause,
                TriggeringEventId = trigger.EventId,
                TriggeredBy = trigger.Source,
                Reason = trigger.Reason ?? (cause == ReopenCause.Progress
                    ? $"a later report took {string.Join(", ", unmet)} below the target"
                    : string.Empty),
                UnmetTargets = unmet,
            });
            return new ProjectDecision(reopened, Changed: true, announcements);
        }
        return new ProjectDecision(state, Changed: true, announcements);
    }

    /// <summary>Marks each target of the rule met or not as the values stand; a target that becomes met is announced.</summary>
    ProjectState SettleTargets(CompletionRule rule, Guid triggeringEventId, List<ProjectAnnouncement> announcements)
    {
        var met = TargetsMet;
        foreach (var target in rule.Targets)
        {
            var record = met.GetValueOrDefault(target.Metric) ?? new TargetRecord(0, false);
            var now = Meets(target);
            if (now && !record.IsMet)
            {
                var number = record.TimesMet + 1;
                met = met.SetItem(target.Metric, new TargetRecord(number, true));
                announcements.Add(new TargetAchievement(ProjectId, target.Metric, number, target.Target, Progress[target.Metric], triggeringEventId));
            }
            else if (!now && record.IsMet)
            {
                met = met.SetItem(target.Metric, record with { IsMet = false });
            }
        }
        // A metric the rule no longer has a target for is not met any more: meeting a new target of it is announced anew.
        foreach (var metric in met.Keys.Where(m => rule.TargetOf(m) is null && met[m].IsMet).ToList())
        {
            met = met.SetItem(metric, met[metric] with { IsMet = false });
        }
        return met == TargetsMet ? this : this with { TargetsMet = met };
    }

    void EnsureSameProject(string projectId, Guid eventId)
    {
        if (!string.Equals(projectId, ProjectId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Event {eventId} is for project '{projectId}', not '{ProjectId}'.");
        }
    }

    public bool Equals(ProjectState? other) =>
        other is not null
        && ProjectId == other.ProjectId
        && IsComplete == other.IsComplete
        && CompletionCount == other.CompletionCount
        && ReopenCount == other.ReopenCount
        && Reached.Count == other.Reached.Count
        && Reached.All(pair => other.Reached.TryGetValue(pair.Key, out var m) && m == pair.Value)
        && Retractions.Count == other.Retractions.Count
        && Retractions.All(pair => other.Retractions.TryGetValue(pair.Key, out var r) && r == pair.Value)
        && Progress.Count == other.Progress.Count
        && Progress.All(pair => other.Progress.TryGetValue(pair.Key, out var p) && p == pair.Value)
        && TargetsMet.Count == other.TargetsMet.Count
        && TargetsMet.All(pair => other.TargetsMet.TryGetValue(pair.Key, out var t) && t == pair.Value)
        && OverdueNoticed.SetEquals(other.OverdueNoticed)
        && RegistrationEquals(Registration, other.Registration);

    /// <summary>Two registrations are the same when they are the same event at the same revision (the entry is what that event said).</summary>
    static bool RegistrationEquals(ProjectRegistration? a, ProjectRegistration? b) =>
        a is null ? b is null : b is not null && a.EventId == b.EventId && a.Revision == b.Revision;

    public override int GetHashCode() => HashCode.Combine(ProjectId, IsComplete, CompletionCount, Reached.Count, Retractions.Count);
}

/// <summary>Whether a target is met now, and how many times it became met.</summary>
public sealed record TargetRecord(int TimesMet, bool IsMet);
