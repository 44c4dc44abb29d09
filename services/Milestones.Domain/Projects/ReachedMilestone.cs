namespace Milestones.Domain.Projects;

/// <summary>A milestone a project has reached, and the event that says so.</summary>
public sealed record ReachedMilestone(
    string Code,
    DateTimeOffset OccurredAt,
    Guid EventId,
    string SourceSystem,
    DateTimeOffset ReportedAt)
{
    public static ReachedMilestone From(MilestoneEvent e) =>
        new(e.MilestoneCode, e.OccurredAt, e.EventId, e.SourceSystem, e.ReportedAt);

    /// <summary>
    /// When several events report the same milestone, the earliest occurrence wins, ties broken by event id.
    /// The choice is a total order, so the result never depends on arrival order.
    /// </summary>
    public bool Precedes(ReachedMilestone other)
    {
        var byTime = OccurredAt.UtcTicks.CompareTo(other.OccurredAt.UtcTicks);
        return byTime < 0 || (byTime == 0 && EventId.CompareTo(other.EventId) < 0);
    }
}
