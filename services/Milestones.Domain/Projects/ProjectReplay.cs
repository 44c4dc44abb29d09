using Milestones.Domain.Catalog;
using Milestones.Domain.Storage;

namespace Milestones.Domain.Projects;

/// <summary>
/// Recomputes a project's state from its stored events, in the order they were recorded: each report applied with
/// <see cref="ProjectState.Apply"/>, each retraction with <see cref="ProjectState.Retract"/>, given the reports of the
/// withdrawn report's milestone that were recorded before it, as the recorder gave it the project's timeline when it
/// recorded the retraction. The result is the state the recorder would have written, so a stored state that differs
/// from it was changed by something else (a hand edit, a bug, a restore of a partial backup).
/// </summary>
public static class ProjectReplay
{
    /// <param name="projectId">The project.</param>
    /// <param name="plan">Its milestone plan.</param>
    /// <param name="eventsInRecordedOrder">Its stored reports and retractions, oldest record first.</param>
    /// <param name="isDistrictOffice">Whether a source may correct any report (the catalog's district office role).</param>
    public static ReplayResult Replay(string projectId, MilestonePlan plan, IEnumerable<EventRecord> eventsInRecordedOrder, Func<string, bool> isDistrictOffice)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(eventsInRecordedOrder);
        ArgumentNullException.ThrowIfNull(isDistrictOffice);
        var state = ProjectState.Empty(projectId);
        var reports = new List<EventRecord>();
        var announcements = new List<ProjectAnnouncement>();
        var count = 0;
        foreach (var e in eventsInRecordedOrder)
        {
            if (!string.Equals(e.ProjectId, projectId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Event {e.EventId} belongs to project '{e.ProjectId}', not '{projectId}'.", nameof(eventsInRecordedOrder));
            }
            count++;
            MilestoneOutcome outcome;
            if (e.RetractedEventId is { } retracted)
            {
                var record = new RetractionRecord(e.EventId, retracted, e.SourceSystem, isDistrictOffice(e.SourceSystem), e.Note ?? string.Empty, e.OccurredAt);
                // The stored retraction names the withdrawn report's milestone ("" when the report was not recorded yet).
                var sameMilestone = reports.Where(r => r.MilestoneCode == e.MilestoneCode).Select(r => r.ToReached()).ToList();
                outcome = state.Retract(plan, record, sameMilestone);
            }
            else
            {
                reports.Add(e);
                outcome = state.Apply(plan, ToReport(e));
            }
            state = outcome.State;
            if (outcome.Announcement is { } announcement)
            {
                announcements.Add(announcement);
            }
        }
        return new ReplayResult(state, announcements, count);
    }

    static MilestoneEvent ToReport(EventRecord e) => new()
    {
        EventId = e.EventId,
        ProjectId = e.ProjectId,
        MilestoneCode = e.MilestoneCode,
        OccurredAt = e.OccurredAt,
        ReportedAt = e.ReportedAt,
        SourceSystem = e.SourceSystem,
        Note = e.Note,
        EvidenceUrl = e.EvidenceUrl,
    };
}

/// <summary>The state a project's events give, and the completions and reopenings they decided on the way.</summary>
/// <param name="State">The recomputed state.</param>
/// <param name="Announcements">Every completion and reopening the history decides, in order.</param>
/// <param name="EventCount">How many events were replayed.</param>
public sealed record ReplayResult(ProjectState State, IReadOnlyList<ProjectAnnouncement> Announcements, int EventCount);
