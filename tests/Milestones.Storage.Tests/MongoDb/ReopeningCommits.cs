using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.Tests.TestData;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// The commit of a retraction that reopens a complete project, computed by the domain itself so that the documents
/// under test hold what the recorder really writes: a state with two retractions (one of a report not recorded yet, by
/// the district office; one of a required report, by its own source) and a reopen count, the retraction's event record
/// and the reopening in the outbox.
/// </summary>
static class ReopeningCommits
{
    /// <summary>When the reopening retraction was made: Beijing time with sub-millisecond ticks, as a source would write it.</summary>
    public static readonly DateTimeOffset RetractedAt = new DateTimeOffset(2023, 5, 2, 9, 0, 0, TimeSpan.FromHours(8)).AddTicks(4_321);

    public static (ProjectCommit Commit, ProjectReopening Reopening) Commit(DateTimeOffset recordedAt, long expectedVersion)
    {
        var events = TestEvents.Completing(TestCatalog.Hub);
        var state = ProjectState.Empty(TestCatalog.Hub);
        foreach (var e in events)
        {
            state = state.Apply(TestCatalog.Plan, e).State;
        }

        // Arrived before the report it withdraws: kept in the state so that the report has no effect when it comes.
        var early = new Retraction
        {
            EventId = Guid.NewGuid(),
            ProjectId = TestCatalog.Hub,
            RetractedEventId = Guid.NewGuid(),
            Reason = "重复上报",
            RetractedAt = RetractedAt.AddDays(-1),
            SourceSystem = "district-office",
        };
        state = state.Retract(TestCatalog.Plan, RetractionRecord.From(early, byDistrictOffice: true), []).State;

        var withdrawn = events[1];
        var retraction = new Retraction
        {
            EventId = Guid.NewGuid(),
            ProjectId = TestCatalog.Hub,
            RetractedEventId = withdrawn.EventId,
            Reason = "日期填错，撤回",
            RetractedAt = RetractedAt,
            SourceSystem = withdrawn.SourceSystem,
        };
        var outcome = state.Retract(TestCatalog.Plan, RetractionRecord.From(retraction, byDistrictOffice: false), [ReachedMilestone.From(withdrawn)]);
        var reopening = outcome.Reopening ?? throw new InvalidOperationException("The retraction was expected to reopen the project.");

        var entry = OutboxEntry.For(reopening, recordedAt.AddTicks(1)) with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        var commit = ProjectCommit.Of(EventRecord.From(retraction, withdrawn.MilestoneCode, recordedAt), expectedVersion, outcome.State, [entry]);
        return (commit, reopening);
    }
}
