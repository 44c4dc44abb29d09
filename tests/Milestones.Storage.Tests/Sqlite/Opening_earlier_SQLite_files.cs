using Microsoft.Data.Sqlite;
using Milestones.Domain;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.Tests.Contract;
using Milestones.Storage.Tests.TestData;

namespace Milestones.Storage.Tests.Sqlite;

/// <summary>
/// Files written by the version before progress, registrations and overdue findings (no kind or progress columns in
/// <c>events</c>, states without the new parts) open, read as before and take the new kinds; an outbox row of a kind
/// this version does not know is an error.
/// </summary>
public sealed class Opening_earlier_SQLite_files
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The schema of the previous version, as it created files.</summary>
    const string PreviousSchema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE events (
            event_id TEXT NOT NULL PRIMARY KEY, project_id TEXT NOT NULL, milestone_code TEXT NOT NULL, occurred_at INTEGER NOT NULL,
            reported_at INTEGER NOT NULL, source_system TEXT NOT NULL, note TEXT NULL, evidence_url TEXT NULL, fingerprint TEXT NOT NULL,
            recorded_at INTEGER NOT NULL, retracted_event_id TEXT NULL);
        CREATE INDEX events_timeline ON events (project_id, occurred_at, recorded_at, event_id);
        CREATE TABLE projects (project_id TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE outbox (
            message_id TEXT NOT NULL PRIMARY KEY, project_id TEXT NOT NULL, payload TEXT NOT NULL, enqueued_at INTEGER NOT NULL,
            sent_at INTEGER NULL, lease_owner TEXT NULL, lease_until INTEGER NULL, trace_parent TEXT NULL, kind TEXT NULL);
        CREATE INDEX outbox_pending ON outbox (enqueued_at) WHERE sent_at IS NULL;
        """;

    static readonly Guid Report = Guid.Parse("11111111-2222-4333-8444-555555555555");
    static readonly Guid Retraction = Guid.Parse("66666666-7777-4888-9999-aaaaaaaaaaaa");
    static readonly Guid Completion = DeterministicGuid.Create($"milestones/project-completed/{TestCatalog.Hub}/1");
    static readonly Guid Reopening = DeterministicGuid.Create($"milestones/project-reopened/{TestCatalog.Hub}/1");

    [Fact]
    public async Task A_file_of_the_previous_schema_opens_reads_as_before_and_takes_the_new_kinds()
    {
        await using var harness = new SqliteHarness();
        WritePreviousVersionFile(harness.Path);

        await using (var open = harness.OpenSqlite(out var store))
        {
            var snapshot = (await store.LoadProject(TestCatalog.Hub, Cancel))!;
            Assert.Equal(3, snapshot.Version);
            Assert.Equal((false, 1, 1), (snapshot.State.IsComplete, snapshot.State.CompletionCount, snapshot.State.ReopenCount));
            Assert.Equal([MilestoneVocabulary.ConstructionStarted], snapshot.State.Reached.Keys);
            Assert.Equal("报错了", snapshot.State.Retractions[Report].Reason);
            Assert.Empty(snapshot.State.Progress);
            Assert.Empty(snapshot.State.TargetsMet);
            Assert.Null(snapshot.State.Registration);
            Assert.Empty(snapshot.State.OverdueNoticed);

            var timeline = await store.GetTimeline(TestCatalog.Hub, 100, Cancel);
            Assert.Equal([(Report, EventKind.Report), (Retraction, EventKind.Retraction)], timeline.Select(e => (e.EventId, e.Kind)));
            Assert.All(timeline, e => Assert.True(e.Progress is null && e.Detail is null && e.Revision is null));
            Assert.Equal(Report, timeline[1].RetractedEventId);
            Assert.Equal("主体结构施工完成", timeline[0].Note);

            var claimed = await store.ClaimPending("dispatcher", 10, TimeSpan.FromSeconds(30), Cancel);
            var completion = Assert.IsType<ProjectCompletion>(Assert.Single(claimed, c => c.MessageId == Completion).Message);
            Assert.Equal(Report, completion.TriggeringEventId);
            Assert.Empty(completion.Targets);
            var reopening = Assert.IsType<ProjectReopening>(Assert.Single(claimed, c => c.MessageId == Reopening).Message);
            Assert.Equal(ReopenCause.Retraction, reopening.Cause);
            Assert.Equal(Report, reopening.Retraction!.RetractedEventId);

            // The migrated file takes an event of a new kind, with its value exact.
            var history = TestHistory.Build(new DateTimeOffset(2023, 6, 1, 8, 0, 0, TimeSpan.Zero));
            foreach (var commit in history.Commits)
            {
                Assert.IsType<CommitResult.Committed>(await store.Commit(commit, Cancel));
            }
        }

        await using var again = harness.OpenSqlite(out var reopened);
        var progress = (await reopened.GetTimeline(TestHistory.Project, 100, Cancel)).Where(e => e.Kind == EventKind.Progress).ToList();
        Assert.Contains(progress, e => e.Progress!.Value == TestHistory.Exact);
        Assert.Equal(2, (await reopened.GetTimeline(TestCatalog.Hub, 100, Cancel)).Count);
    }

    [Fact]
    public async Task An_outbox_row_of_an_unknown_kind_is_an_error_and_not_published_as_a_completion()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var completion = await StoreSteps.Complete(harness, store, TestCatalog.Hub);
        using (var connection = new SqliteConnection($"Data Source={harness.Path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE outbox SET kind = 'written-by-a-newer-version' WHERE message_id = $id";
            command.Parameters.AddWithValue("$id", completion.MessageId.ToString());
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.ClaimPending("dispatcher", 10, TimeSpan.FromSeconds(30), Cancel));
        Assert.Contains("written-by-a-newer-version", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ListPendingOutbox(Cancel));
    }

    /// <summary>A file as the previous version left it: a completed project reopened by a retraction, both announcements pending.</summary>
    static void WritePreviousVersionFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        var occurred = new DateTimeOffset(2023, 1, 6, 1, 30, 0, TimeSpan.Zero).UtcTicks;
        var retracted = new DateTimeOffset(2023, 5, 31, 8, 0, 0, TimeSpan.Zero);
        var recorded = TestEvents.Now.UtcTicks;
        using var command = connection.CreateCommand();
        command.CommandText = PreviousSchema + $"""
            INSERT INTO events VALUES ('{Report}', '{TestCatalog.Hub}', 'construction-started', {occurred}, {occurred + 10}, '{TestCatalog.Source}',
                '主体结构施工完成', 'https://example.org/report/1', 'f1', {recorded}, NULL);
            INSERT INTO events VALUES ('{Retraction}', '{TestCatalog.Hub}', 'construction-started', {retracted.UtcTicks}, {retracted.UtcTicks}, '{TestCatalog.Source}',
                '报错了', NULL, 'f2', {recorded + 1}, '{Report}');
            INSERT INTO projects VALUES ('{TestCatalog.Hub}', 3, $state, {recorded});
            INSERT INTO outbox (message_id, project_id, payload, enqueued_at, kind) VALUES ('{Completion}', '{TestCatalog.Hub}', $completion, {recorded}, NULL);
            INSERT INTO outbox (message_id, project_id, payload, enqueued_at, kind) VALUES ('{Reopening}', '{TestCatalog.Hub}', $reopening, {recorded + 1}, 'reopened');
            """;
        var reached = $$"""{"code":"construction-started","occurredAt":"2023-01-06T01:30:00+00:00","eventId":"{{Report}}","sourceSystem":"{{TestCatalog.Source}}","reportedAt":"2023-01-06T01:30:00.000001+00:00"}""";
        var retraction = $$"""{"retractionEventId":"{{Retraction}}","retractedEventId":"{{Report}}","retractedBy":"{{TestCatalog.Source}}","byDistrictOffice":true,"reason":"报错了","retractedAt":"2023-05-31T08:00:00+00:00"}""";
        var other = $$"""{"code":"topped-out","occurredAt":"2023-02-06T01:30:00+00:00","eventId":"{{Guid.NewGuid()}}","sourceSystem":"{{TestCatalog.Source}}","reportedAt":"2023-02-06T01:30:00+00:00"}""";
        command.Parameters.AddWithValue("$state",
            $$"""{"projectId":"{{TestCatalog.Hub}}","isComplete":false,"completionCount":1,"reached":[{{other.Replace("topped-out", "construction-started", StringComparison.Ordinal)}}],"reopenCount":1,"retractions":[{{retraction}}]}""");
        command.Parameters.AddWithValue("$completion",
            $$"""{"projectId":"{{TestCatalog.Hub}}","completionNumber":1,"completedAt":"2023-01-06T01:30:00+00:00","milestones":[{{reached}}],"triggeringEventId":"{{Report}}"}""");
        command.Parameters.AddWithValue("$reopening",
            $$"""{"projectId":"{{TestCatalog.Hub}}","reopenNumber":1,"missingMilestones":["construction-started"],"retraction":{{retraction}}}""");
        command.ExecuteNonQuery();
    }
}
