using Milestones.Domain.Catalog;
using Milestones.Domain.Storage;

namespace Milestones.Domain.Projects;

/// <summary>
/// Recomputes a project's state from its stored events, in the order they were recorded: each report applied with
/// <see cref="ProjectState.Apply(CompletionRule, MilestoneEvent)"/>, each retraction with <see cref="ProjectState.Retract"/>, given the reports of the
/// withdrawn report's milestone that were recorded before it, as the recorder gave it the project's timeline when it
/// recorded the retraction. The result is the state the recorder would have written, so a stored state that differs
/// from it was changed by something else (a hand edit, a bug, a restore of a partial backup).
/// </summary>
public static class ProjectReplay
{
    /// <param name="projectId">The project.</param>
    /// <param name="plan">Its rule of completion under the catalog file's entry (a registration in the history replaces it from there on).</param>
    /// <param name="eventsInRecordedOrder">Its stored reports and retractions, oldest record first.</param>
    /// <param name="isDistrictOffice">Whether a source may correct any report (the catalog's district office role).</param>
    public static ReplayResult Replay(string projectId, CompletionRule plan, IEnumerable<EventRecord> eventsInRecordedOrder, Func<string, bool> isDistrictOffice) =>
        Replay(projectId, plan, null, eventsInRecordedOrder, isDistrictOffice);

    /// <param name="projectId">The project.</param>
    /// <param name="plan">Its rule of completion under <paramref name="seeded"/>, the catalog file's entry (null for a project only registrations define).</param>
    /// <param name="seeded">The catalog file's entry, against which the first registration's revision is compared.</param>
    /// <param name="eventsInRecordedOrder">Its stored events, oldest record first.</param>
    /// <param name="isDistrictOffice">Whether a source may correct any report (the catalog's district office role).</param>
    public static ReplayResult Replay(
        string projectId, CompletionRule plan, ProjectDefinition? seeded, IEnumerable<EventRecord> eventsInRecordedOrder, Func<string, bool> isDistrictOffice)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(eventsInRecordedOrder);
        ArgumentNullException.ThrowIfNull(isDistrictOffice);
        var state = ProjectState.Empty(projectId);
        var rule = plan;
        var inForce = seeded;
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
            ProjectDecision? outcome;
            switch (e.Kind)
            {
                case EventKind.Retraction:
                    var record = new RetractionRecord(e.EventId, e.RetractedEventId!.Value, e.SourceSystem, isDistrictOffice(e.SourceSystem), e.Note ?? string.Empty, e.OccurredAt);
                    // The stored retraction names the withdrawn report's milestone ("" when the report was not recorded yet,
                    // or was a progress report, whose metric it then holds).
                    var sameMilestone = reports.Where(r => r.Kind == EventKind.Report && r.MilestoneCode == e.MilestoneCode).Select(r => r.ToReached()).ToList();
                    var sameMetric = reports.Where(r => r.Kind == EventKind.Progress && r.Progress?.Metric == e.Progress?.Metric).Select(r => r.ToReading()!).ToList();
                    outcome = state.Retract(rule, record, sameMilestone, sameMetric);
                    break;
                case EventKind.Progress:
                    reports.Add(e);
                    outcome = state.Apply(rule, ToProgress(e));
                    break;
                case EventKind.Registration:
                    var entry = e.RegisteredEntry() ?? throw new InvalidOperationException($"Registration {e.EventId} has no entry.");
                    var registration = new CatalogRegistration { EventId = e.EventId, Definition = entry, RegisteredAt = e.OccurredAt, SourceSystem = e.SourceSystem, Note = e.Note };
                    outcome = state.Register(inForce, registration);
                    if (outcome.Changed)
                    {
                        inForce = entry;
                        rule = CompletionRule.Of(entry);
                    }
                    break;
                case EventKind.Overdue:
                    outcome = inForce is null ? null : state.NoteOverdue(inForce, new OverdueCheck(projectId, e.MilestoneCode, DateOnly.Parse(e.Detail!, System.Globalization.CultureInfo.InvariantCulture), e.ReportedAt));
                    break;
                default:
                    reports.Add(e);
                    outcome = state.Apply(rule, ToReport(e));
                    break;
            }
            if (outcome is null)
            {
                continue;
            }
            state = outcome.State;
            announcements.AddRange(outcome.Announcements);
        }
        return new ReplayResult(state, announcements, count);
    }

    static ProgressReport ToProgress(EventRecord e) => new()
    {
        EventId = e.EventId,
        ProjectId = e.ProjectId,
        Metric = e.Progress!.Metric,
        Value = e.Progress.Value,
        Unit = e.Progress.Unit,
        OccurredAt = e.OccurredAt,
        ReportedAt = e.ReportedAt,
        SourceSystem = e.SourceSystem,
        Note = e.Note,
    };

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

/// <summary>The state a project's events give, and what they decided to announce on the way (the event feed aside).</summary>
/// <param name="State">The recomputed state.</param>
/// <param name="Announcements">Every completion and reopening the history decides, in order.</param>
/// <param name="EventCount">How many events were replayed.</param>
public sealed record ReplayResult(ProjectState State, IReadOnlyList<ProjectAnnouncement> Announcements, int EventCount);
