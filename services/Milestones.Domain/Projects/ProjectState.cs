using System.Collections.Immutable;
using Milestones.Domain.Catalog;

namespace Milestones.Domain.Projects;

/// <summary>
/// Where a project stands: the milestones it has reached and whether it is complete.
/// Applying an event is a merge (per milestone, the earliest report wins), so the state reached from a set of
/// events is the same in any order and with any number of redeliveries; completion is decided on the one
/// transition from incomplete to complete.
/// </summary>
public sealed record ProjectState
{
    public required string ProjectId { get; init; }

    /// <summary>Reached milestones by stage code.</summary>
    public ImmutableSortedDictionary<string, ReachedMilestone> Reached { get; init; } =
        ImmutableSortedDictionary.Create<string, ReachedMilestone>(StringComparer.Ordinal);

    public bool IsComplete { get; init; }

    /// <summary>How many completions have been decided for this project.</summary>
    public int CompletionCount { get; init; }

    public static ProjectState Empty(string projectId) => new() { ProjectId = projectId };

    /// <summary>Applies a validated event of this project.</summary>
    public MilestoneOutcome Apply(MilestonePlan plan, MilestoneEvent e)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(e);
        if (!string.Equals(e.ProjectId, ProjectId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Event {e.EventId} is for project '{e.ProjectId}', not '{ProjectId}'.", nameof(e));
        }

        var candidate = ReachedMilestone.From(e);
        if (Reached.TryGetValue(e.MilestoneCode, out var current) && !candidate.Precedes(current))
        {
            return new MilestoneOutcome(this, Changed: false, Completion: null);
        }

        var next = this with { Reached = Reached.SetItem(e.MilestoneCode, candidate) };
        if (IsComplete || !next.Satisfies(plan))
        {
            return new MilestoneOutcome(next, Changed: true, Completion: null);
        }

        var completed = next with { IsComplete = true, CompletionCount = CompletionCount + 1 };
        var milestones = plan.Required.Select(code => next.Reached[code]).ToList();
        var completion = new ProjectCompletion(
            ProjectId,
            completed.CompletionCount,
            milestones.Max(m => m.OccurredAt),
            milestones,
            e.EventId);
        return new MilestoneOutcome(completed, Changed: true, completion);
    }

    /// <summary>True when every milestone the plan requires has been reached.</summary>
    public bool Satisfies(MilestonePlan plan) => plan.Required.All(Reached.ContainsKey);

    /// <summary>The completion time as the state stands: the latest of the required milestones' times.</summary>
    public DateTimeOffset? CompletedAt(MilestonePlan plan) =>
        IsComplete && Satisfies(plan) ? plan.Required.Max(code => Reached[code].OccurredAt) : null;

    public bool Equals(ProjectState? other) =>
        other is not null
        && ProjectId == other.ProjectId
        && IsComplete == other.IsComplete
        && CompletionCount == other.CompletionCount
        && Reached.Count == other.Reached.Count
        && Reached.All(pair => other.Reached.TryGetValue(pair.Key, out var m) && m == pair.Value);

    public override int GetHashCode() => HashCode.Combine(ProjectId, IsComplete, CompletionCount, Reached.Count);
}

/// <summary>The result of applying one event.</summary>
/// <param name="State">The state after the event.</param>
/// <param name="Changed">False when the event added nothing (a redelivery, or a later report of a milestone already reached).</param>
/// <param name="Completion">Set on the one event that completes the project.</param>
public sealed record MilestoneOutcome(ProjectState State, bool Changed, ProjectCompletion? Completion);
