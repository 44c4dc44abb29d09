using Milestones.Domain.Projects;

namespace Milestones.Storage.Tests.TestData;

/// <summary>Milestone events with the awkward details a store must keep: offsets, sub-millisecond ticks, Chinese text.</summary>
public static class TestEvents
{
    /// <summary>The clock of the tests: after every event below, before the validator's future limit.</summary>
    public static readonly DateTimeOffset Now = new(2023, 6, 1, 8, 0, 0, TimeSpan.Zero);

    static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <summary>An event dated <paramref name="day"/> days into 2023, at an instant with sub-millisecond ticks, written in Beijing time.</summary>
    public static MilestoneEvent Reached(string projectId, string code, int day, Guid? id = null, string? note = "主体结构施工完成", string? evidence = "https://example.org/report/1") =>
        new()
        {
            EventId = id ?? Guid.NewGuid(),
            ProjectId = projectId,
            MilestoneCode = code,
            OccurredAt = new DateTimeOffset(2023, 1, 1, 9, 30, 0, Beijing).AddDays(day).AddTicks(1_234_567),
            ReportedAt = new DateTimeOffset(2023, 1, 1, 18, 0, 0, Beijing).AddDays(day).AddTicks(7_654_321),
            SourceSystem = TestCatalog.Source,
            Note = note,
            EvidenceUrl = evidence,
        };

    /// <summary>The events that complete <paramref name="projectId"/>, one per required milestone, in lifecycle order.</summary>
    public static IReadOnlyList<MilestoneEvent> Completing(string projectId, int firstDay = 10) =>
        TestCatalog.Required.Select((code, i) => Reached(projectId, code, firstDay + (10 * i))).ToList();
}
