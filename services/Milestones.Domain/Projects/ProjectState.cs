using System.Collections.Immutable;
using Milestones.Domain.Catalog;

namespace Milestones.Domain.Projects;

/// <summary>
/// Where a project stands: the milestones it has reached, the reports withdrawn from it, and whether it is complete.
/// <para>
/// Reports merge (per milestone, the earliest report wins), so the state reached from a set of reports is the same in
/// any order and with any number of redeliveries. A retraction removes its report from that set: the state becomes what
/// the remaining reports give, whether the retraction comes after the report or before it (the report is then
/// recorded with no effect). Completion is decided on each transition from incomplete to complete and a reopening on
/// each transition back, so completions and reopenings alternate, one per transition.
/// </para>
/// </summary>
public sealed record ProjectState
{
    public required string ProjectId { get; init; }

    /// <summary>Reached milestones by stage code: for each, the earliest report not withdrawn.</summary>
    public ImmutableSortedDictionary<string, ReachedMilestone> Reached { get; init; } =
        ImmutableSortedDictionary.Create<string, ReachedMilestone>(StringComparer.Ordinal);

    /// <summary>Retractions by the id of the report they withdraw. Corrections are rare, so this stays small.</summary>
    public ImmutableSortedDictionary<Guid, RetractionRecord> Retractions { get; init; } = ImmutableSortedDictionary<Guid, RetractionRecord>.Empty;

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
    public MilestoneOutcome Apply(MilestonePlan plan, MilestoneEvent e)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(e);
        EnsureSameProject(e.ProjectId, e.EventId);

        var candidate = ReachedMilestone.From(e);
        if (IsWithdrawn(e.EventId, e.SourceSystem)
            || (Reached.TryGetValue(e.MilestoneCode, out var current) && !candidate.Precedes(current)))
        {
            return new MilestoneOutcome(this, Changed: false, Announcement: null);
        }
        return (this with { Reached = Reached.SetItem(e.MilestoneCode, candidate) }).Settle(plan, e.EventId, retraction: null);
    }

    /// <summary>
    /// Applies a validated retraction of this project. <paramref name="reportsOfMilestone"/>: every recorded report of the
    /// milestone that the withdrawn report is the winning report of (withdrawn or not; the state filters), so that the
    /// next earliest can take its place; empty when the withdrawn report is not a winning report, or not recorded yet.
    /// </summary>
    public MilestoneOutcome Retract(MilestonePlan plan, RetractionRecord retraction, IEnumerable<ReachedMilestone> reportsOfMilestone)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(retraction);
        ArgumentNullException.ThrowIfNull(reportsOfMilestone);
        if (Retractions.ContainsKey(retraction.RetractedEventId))
        {
            // Withdrawn already: a second retraction of the same report is recorded with no effect.
            return new MilestoneOutcome(this, Changed: false, Announcement: null);
        }

        var next = this with { Retractions = Retractions.Add(retraction.RetractedEventId, retraction) };
        if (WinningMilestoneOf(retraction.RetractedEventId) is { } code && retraction.Withdraws(Reached[code].SourceSystem))
        {
            var replacement = reportsOfMilestone
                .Where(m => m.Code == code && !next.IsWithdrawn(m.EventId, m.SourceSystem))
                .Aggregate((ReachedMilestone?)null, (best, m) => best is null || m.Precedes(best) ? m : best);
            next = next with { Reached = replacement is null ? Reached.Remove(code) : Reached.SetItem(code, replacement) };
        }
        return next.Settle(plan, triggeringEventId: retraction.RetractionEventId, retraction);
    }

    /// <summary>The milestone whose winning report this is, if any.</summary>
    public string? WinningMilestoneOf(Guid eventId) =>
        Reached.FirstOrDefault(pair => pair.Value.EventId == eventId) is { Value: not null } pair ? pair.Key : null;

    /// <summary>True when every milestone the plan requires has been reached.</summary>
    public bool Satisfies(MilestonePlan plan) => plan.Required.All(Reached.ContainsKey);

    /// <summary>The completion time as the state stands: the latest of the required milestones' times.</summary>
    public DateTimeOffset? CompletedAt(MilestonePlan plan) =>
        IsComplete && Satisfies(plan) ? plan.Required.Max(code => Reached[code].OccurredAt) : null;

    /// <summary>Decides the transition, if the change made one: incomplete → complete, or complete → reopened.</summary>
    MilestoneOutcome Settle(MilestonePlan plan, Guid triggeringEventId, RetractionRecord? retraction)
    {
        var satisfied = Satisfies(plan);
        if (!IsComplete && satisfied)
        {
            var completed = this with { IsComplete = true, CompletionCount = CompletionCount + 1 };
            var milestones = plan.Required.Select(code => Reached[code]).ToList();
            var completion = new ProjectCompletion(ProjectId, completed.CompletionCount, milestones.Max(m => m.OccurredAt), milestones, triggeringEventId);
            return new MilestoneOutcome(completed, Changed: true, completion);
        }
        if (IsComplete && !satisfied && retraction is not null)
        {
            var reopened = this with { IsComplete = false, ReopenCount = ReopenCount + 1 };
            var missing = plan.Required.Where(code => !Reached.ContainsKey(code)).ToList();
            return new MilestoneOutcome(reopened, Changed: true, new ProjectReopening(ProjectId, reopened.ReopenCount, missing, retraction));
        }
        return new MilestoneOutcome(this, Changed: true, Announcement: null);
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
        && Retractions.All(pair => other.Retractions.TryGetValue(pair.Key, out var r) && r == pair.Value);

    public override int GetHashCode() => HashCode.Combine(ProjectId, IsComplete, CompletionCount, Reached.Count, Retractions.Count);
}

/// <summary>The result of applying one report or retraction.</summary>
/// <param name="State">The state after it.</param>
/// <param name="Changed">False when it changed nothing (a redelivery, a later report of a milestone already reached, a withdrawn report).</param>
/// <param name="Announcement">Set on the one change that completes or reopens the project.</param>
public sealed record MilestoneOutcome(ProjectState State, bool Changed, ProjectAnnouncement? Announcement)
{
    /// <summary>The completion this change decided, if it decided one.</summary>
    public ProjectCompletion? Completion => Announcement as ProjectCompletion;

    /// <summary>The reopening this change decided, if it decided one.</summary>
    public ProjectReopening? Reopening => Announcement as ProjectReopening;
}
