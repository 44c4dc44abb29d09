using Milestones.Domain;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using Milestones.Storage.Tests.TestData;
using static Milestones.Storage.Tests.Contract.StoreSteps;

namespace Milestones.Storage.Tests.Contract;

/// <summary>
/// What every store must guarantee, written once and run against each store: idempotency, conflict
/// detection, optimistic concurrency, outbox atomicity and leases, durability across a restart, and the queries.
/// Each test gets its own database from <see cref="CreateHarness"/> and drops it at the end.
/// </summary>
public abstract partial class StoreContract
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A harness on fresh, empty data; a store that cannot run here skips the test from inside this call.</summary>
    protected abstract StoreHarness CreateHarness();

    [Fact]
    public async Task Committed_event_and_state_load_back_exactly()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var e = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);

        var (result, commit) = await Apply(harness, store.Projects, e);

        Assert.Equal(new CommitResult.Committed(1), result);
        var snapshot = await store.Projects.LoadProject(TestCatalog.Hub, Cancel);
        Assert.NotNull(snapshot);
        Assert.Equal(1, snapshot.Version);
        Assert.Equal(commit.State, snapshot.State);
        var reached = snapshot.State.Reached[MilestoneVocabulary.ConstructionStarted];
        Assert.Equal(e.OccurredAt.UtcTicks, reached.OccurredAt.UtcTicks);
        Assert.Equal(e.ReportedAt.UtcTicks, reached.ReportedAt.UtcTicks);

        var timeline = await store.Projects.GetTimeline(TestCatalog.Hub, 100, Cancel);
        var recorded = Assert.Single(timeline);
        Assert.Equal(commit.Events[0], recorded);
        Assert.Equal(commit.Events[0].RecordedAt.UtcTicks, recorded.RecordedAt.UtcTicks);
        Assert.Equal(e.Fingerprint, recorded.Fingerprint);
        Assert.Equal("主体结构施工完成", recorded.Note);

        var (second, _) = await Apply(harness, store.Projects, TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 40));
        Assert.Equal(new CommitResult.Committed(2), second);
        Assert.Equal(2, (await store.Projects.LoadProject(TestCatalog.Hub, Cancel))!.Version);
        Assert.Null(await store.Projects.LoadProject(TestCatalog.Park, Cancel));
    }

    [Fact]
    public async Task Same_event_twice_is_reported_as_existing_and_changes_nothing()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var e = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);
        await Apply(harness, store.Projects, e);
        var before = await store.Projects.LoadProject(TestCatalog.Hub, Cancel);

        var (again, _) = await Apply(harness, store.Projects, e with { });

        Assert.Equal(e.Fingerprint, Assert.IsType<CommitResult.EventsExist>(again).Fingerprints[e.EventId]);
        Assert.Equal(before, await store.Projects.LoadProject(TestCatalog.Hub, Cancel));
        Assert.Single(await store.Projects.GetTimeline(TestCatalog.Hub, 100, Cancel));
    }

    [Fact]
    public async Task Same_event_id_with_another_payload_is_reported_with_the_stored_fingerprint()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var e = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);
        await Apply(harness, store.Projects, e);
        // Built afresh: a record 'with' copy would carry the original's cached fingerprint.
        var other = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 4, e.EventId, note: "另一份报告");
        Assert.NotEqual(e.Fingerprint, other.Fingerprint);

        var (result, _) = await Apply(harness, store.Projects, other);

        Assert.Equal(e.Fingerprint, Assert.Single(Assert.IsType<CommitResult.EventsExist>(result).Fingerprints, f => f.Key == e.EventId).Value);
        var snapshot = await store.Projects.LoadProject(TestCatalog.Hub, Cancel);
        Assert.Equal(1, snapshot!.Version);
        Assert.Equal(e.OccurredAt, snapshot.State.Reached[MilestoneVocabulary.ConstructionStarted].OccurredAt);
        Assert.Equal(e.Fingerprint, Assert.Single(await store.Projects.GetTimeline(TestCatalog.Hub, 100, Cancel)).Fingerprint);
    }

    [Fact]
    public async Task Stale_expected_version_is_a_conflict_and_nothing_of_it_becomes_visible()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var events = TestEvents.Completing(TestCatalog.Hub);
        foreach (var e in events.SkipLast(1))
        {
            await Apply(harness, store.Projects, e);
        }
        var stale = await store.Projects.LoadProject(TestCatalog.Hub, Cancel);
        await Apply(harness, store.Projects, TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Approved, 1));
        var current = await store.Projects.LoadProject(TestCatalog.Hub, Cancel);

        // The last required milestone, computed from the stale version: it would complete the project.
        var outcome = stale!.State.Apply(TestCatalog.Plan, events[3]);
        Assert.NotNull(outcome.Completion);
        var staleCommit = ProjectCommit.Of(EventRecord.From(events[3], harness.Time.GetUtcNow()), stale.Version, outcome.State,
            [OutboxEntry.For(outcome.Completion, harness.Time.GetUtcNow())]);
        var result = await store.Projects.Commit(staleCommit, Cancel);

        Assert.Equal(new CommitResult.VersionConflict(), result);
        Assert.Equal(current, await store.Projects.LoadProject(TestCatalog.Hub, Cancel));
        Assert.DoesNotContain(await store.Projects.GetTimeline(TestCatalog.Hub, 100, Cancel), r => r.EventId == events[3].EventId);
        Assert.Equal(new OutboxBacklog(0, null), await store.Outbox.GetBacklog(Cancel));

        // The retry (what the recorder does: reload, re-apply, commit) goes through, once.
        var (retry, _) = await Apply(harness, store.Projects, events[3]);
        Assert.Equal(new CommitResult.Committed(current!.Version + 1), retry);
        Assert.Contains(await store.Projects.GetTimeline(TestCatalog.Hub, 100, Cancel), r => r.EventId == events[3].EventId);
        Assert.Equal(1, (await store.Outbox.GetBacklog(Cancel)).Count);
    }

    [Fact]
    public async Task Two_first_commits_of_one_project_let_only_one_through()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var first = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);
        var second = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 50);
        var empty = ProjectState.Empty(TestCatalog.Hub);

        var a = await store.Projects.Commit(Commit(harness, first, 0, empty.Apply(TestCatalog.Plan, first).State), Cancel);
        var b = await store.Projects.Commit(Commit(harness, second, 0, empty.Apply(TestCatalog.Plan, second).State), Cancel);

        Assert.Equal(new CommitResult.Committed(1), a);
        Assert.Equal(new CommitResult.VersionConflict(), b);
        var snapshot = await store.Projects.LoadProject(TestCatalog.Hub, Cancel);
        Assert.Equal([MilestoneVocabulary.ConstructionStarted], snapshot!.State.Reached.Keys);
    }

    [Fact]
    public async Task Concurrent_recorders_on_one_project_lose_no_event_and_complete_it_once()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        // 8 writers x 5 events, every writer reporting every required milestone at its own dates.
        var batches = Enumerable.Range(0, 8)
            .Select(writer => Enumerable.Range(0, 5)
                .Select(i => TestEvents.Reached(TestCatalog.Hub, TestCatalog.Required[(writer + i) % TestCatalog.Required.Count], 1 + ((writer * 7) + (i * 13)) % 100))
                .ToList())
            .ToList();

        // One recorder per writer, as replicas are: each keeps its own view of the project and loses version races.
        var outcomes = await Task.WhenAll(batches.Select(batch => Task.Run(async () =>
        {
            var recorder = Recorder(harness, store);
            var results = new List<RecordOutcome>();
            foreach (var e in batch)
            {
                results.Add(await RecordLikeTheTransport(recorder, e));
            }
            return results;
        }, Cancel)));

        var all = outcomes.SelectMany(o => o).ToList();
        Assert.All(all, o => Assert.Equal(RecordStatus.Applied, o.Status));
        var completion = Assert.Single(all, o => o.Completion is not null).Completion!;

        // No lost update: the stored state is the merge of every event, whatever the interleaving.
        var expected = batches.SelectMany(b => b).Aggregate(ProjectState.Empty(TestCatalog.Hub), (state, e) => state.Apply(TestCatalog.Plan, e).State);
        var snapshot = await store.Projects.LoadProject(TestCatalog.Hub, Cancel);
        Assert.Equal(expected.Reached, snapshot!.State.Reached);
        Assert.True(snapshot.State.IsComplete);
        Assert.Equal(1, snapshot.State.CompletionCount);

        var timeline = await store.Projects.GetTimeline(TestCatalog.Hub, 1000, Cancel);
        Assert.Equal(batches.SelectMany(b => b).Select(e => e.EventId).Order(), timeline.Select(r => r.EventId).Order());

        // Besides the completion, one feed item per recorded event, each once however many attempts it took.
        var claimed = await store.Outbox.ClaimPending("dispatcher", 100, TimeSpan.FromSeconds(30), Cancel);
        var pending = Assert.Single(claimed, p => p.Message is not EventRecordedNotice);
        Assert.Equal(completion.MessageId, pending.MessageId);
        Assert.Equal(batches.SelectMany(b => b).Select(e => e.EventId).Order(),
            claimed.Select(p => p.Message).OfType<EventRecordedNotice>().Select(n => n.Event.EventId).Order());
    }

    [Fact]
    public async Task Completing_commit_leaves_exactly_one_pending_entry_with_the_deterministic_message_id()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        ProjectCompletion? completion = null;
        DateTimeOffset enqueuedAt = default;
        foreach (var e in TestEvents.Completing(TestCatalog.Hub))
        {
            Assert.Equal(new OutboxBacklog(0, null), await store.Outbox.GetBacklog(Cancel));
            harness.Time.Advance(TimeSpan.FromTicks(10_001));
            var (result, commit) = await Apply(harness, store.Projects, e);
            Assert.IsType<CommitResult.Committed>(result);
            if (commit.Outbox is [var entry])
            {
                completion = Assert.IsType<ProjectCompletion>(entry.Message);
                enqueuedAt = entry.EnqueuedAt;
            }
        }

        Assert.NotNull(completion);
        Assert.Equal(DeterministicGuid.Create($"milestones/project-completed/{TestCatalog.Hub}/1"), completion.MessageId);
        var backlog = await store.Outbox.GetBacklog(Cancel);
        Assert.Equal(1, backlog.Count);
        Assert.Equal(enqueuedAt.UtcTicks, backlog.OldestEnqueuedAt!.Value.UtcTicks);

        // A later report of a reached milestone changes nothing and enqueues nothing.
        await Apply(harness, store.Projects, TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Opened, 150));
        await Apply(harness, store.Projects, TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Approved, 1));
        Assert.Equal(1, (await store.Outbox.GetBacklog(Cancel)).Count);

        var claimed = Assert.Single(await store.Outbox.ClaimPending("dispatcher", 10, TimeSpan.FromSeconds(30), Cancel));
        Assert.Equal(completion.MessageId, claimed.MessageId);
        Assert.Equal(TestCatalog.Hub, claimed.ProjectId);
        Assert.Equal(enqueuedAt.UtcTicks, claimed.EnqueuedAt.UtcTicks);
        var claimedCompletion = Assert.IsType<ProjectCompletion>(claimed.Message);
        Assert.Equal(completion.CompletionNumber, claimedCompletion.CompletionNumber);
        Assert.Equal(completion.CompletedAt.UtcTicks, claimedCompletion.CompletedAt.UtcTicks);
        Assert.Equal(completion.TriggeringEventId, claimedCompletion.TriggeringEventId);
        Assert.Equal(completion.Milestones, claimedCompletion.Milestones);
    }

    [Fact]
    public async Task Leased_entries_stay_with_their_owner_until_the_lease_expires()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        await Complete(harness, store.Projects, TestCatalog.Hub);
        await Complete(harness, store.Projects, TestCatalog.Park);
        var lease = TimeSpan.FromSeconds(30);

        var first = await store.Outbox.ClaimPending("replica-a", 10, lease, Cancel);
        var second = await store.Outbox.ClaimPending("replica-b", 10, lease, Cancel);
        harness.Time.Advance(lease - TimeSpan.FromSeconds(1));
        var stillHeld = await store.Outbox.ClaimPending("replica-b", 10, lease, Cancel);
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        var afterExpiry = await store.Outbox.ClaimPending("replica-b", 10, lease, Cancel);

        Assert.Equal([TestCatalog.Hub, TestCatalog.Park], first.Select(e => e.ProjectId));
        Assert.Empty(second);
        Assert.Empty(stillHeld);
        Assert.Equal(first.Select(e => e.MessageId), afterExpiry.Select(e => e.MessageId));
    }

    [Fact]
    public async Task Claim_takes_at_most_the_batch_oldest_first_and_leaves_the_rest_to_others()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        foreach (var project in new[] { TestCatalog.School, TestCatalog.Hub, TestCatalog.Park })
        {
            await Complete(harness, store.Projects, project);
            harness.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var first = await store.Outbox.ClaimPending("replica-a", 2, TimeSpan.FromSeconds(30), Cancel);
        var rest = await store.Outbox.ClaimPending("replica-b", 2, TimeSpan.FromSeconds(30), Cancel);

        Assert.Equal([TestCatalog.School, TestCatalog.Hub], first.Select(e => e.ProjectId));
        Assert.Equal([TestCatalog.Park], rest.Select(e => e.ProjectId));
    }

    [Fact]
    public async Task Sent_entries_leave_the_backlog_and_are_not_claimed_again()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        await Complete(harness, store.Projects, TestCatalog.Hub);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await Complete(harness, store.Projects, TestCatalog.Park);
        var lease = TimeSpan.FromSeconds(30);
        var claimed = await store.Outbox.ClaimPending("replica-a", 10, lease, Cancel);
        Assert.Equal(2, claimed.Count);

        await store.Outbox.MarkSent([claimed[0].MessageId], harness.Time.GetUtcNow(), Cancel);

        var backlog = await store.Outbox.GetBacklog(Cancel);
        Assert.Equal(1, backlog.Count);
        Assert.Equal(claimed[1].EnqueuedAt.UtcTicks, backlog.OldestEnqueuedAt!.Value.UtcTicks);

        await store.Outbox.MarkSent([claimed[1].MessageId], harness.Time.GetUtcNow(), Cancel);
        await store.Outbox.MarkSent([claimed[1].MessageId], harness.Time.GetUtcNow(), Cancel);
        Assert.Equal(new OutboxBacklog(0, null), await store.Outbox.GetBacklog(Cancel));
        harness.Time.Advance(lease * 2);
        Assert.Empty(await store.Outbox.ClaimPending("replica-b", 10, lease, Cancel));
    }

    [Fact]
    public async Task Pending_entries_and_state_survive_a_restart_of_the_store()
    {
        await using var harness = CreateHarness();
        ProjectCompletion completion;
        await using (var before = await harness.Open())
        {
            completion = await Complete(harness, before.Projects, TestCatalog.Hub);
        }

        await using var after = await harness.Open();

        var snapshot = await after.Projects.LoadProject(TestCatalog.Hub, Cancel);
        Assert.True(snapshot!.State.IsComplete);
        Assert.Equal(TestCatalog.Required.Count, snapshot.Version);
        Assert.Equal(1, (await after.Outbox.GetBacklog(Cancel)).Count);
        var pending = Assert.Single(await after.Outbox.ClaimPending("after-restart", 10, TimeSpan.FromSeconds(30), Cancel));
        Assert.Equal(completion.MessageId, pending.MessageId);
        Assert.Equal(TestCatalog.Required.Count, (await after.Projects.GetTimeline(TestCatalog.Hub, 100, Cancel)).Count);
    }

    [Fact]
    public async Task Entries_claimed_by_a_process_that_died_are_claimed_again_after_restart_once_the_lease_expires()
    {
        await using var harness = CreateHarness();
        var lease = TimeSpan.FromSeconds(30);
        IReadOnlyList<OutboxEntry> claimedBeforeCrash;
        await using (var before = await harness.Open())
        {
            await Complete(harness, before.Projects, TestCatalog.Hub);
            claimedBeforeCrash = await before.Outbox.ClaimPending("died-before-mark-sent", 10, lease, Cancel);
        }

        await using var after = await harness.Open();
        var whileLeased = await after.Outbox.ClaimPending("after-restart", 10, lease, Cancel);
        harness.Time.Advance(lease + TimeSpan.FromSeconds(1));
        var afterExpiry = await after.Outbox.ClaimPending("after-restart", 10, lease, Cancel);

        Assert.Single(claimedBeforeCrash);
        Assert.Empty(whileLeased);
        Assert.Equal(claimedBeforeCrash.Select(e => e.MessageId), afterExpiry.Select(e => e.MessageId));
    }

    [Fact]
    public async Task Timeline_is_ordered_by_occurrence_then_by_recording_and_limited()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var late = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Completed, 90);
        var early = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Approved, 2);
        // Same instant, recorded one after the other; the second has the smaller id, so an id order would swap them.
        var sameA = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 30, Guid.Parse("ffffffff-0000-0000-0000-000000000000"));
        var sameB = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 30, Guid.Parse("00000000-0000-0000-0000-000000000001"));
        var other = TestEvents.Reached(TestCatalog.Park, MilestoneVocabulary.Approved, 1);
        foreach (var e in new[] { late, sameA, other, sameB, early })
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
            await Apply(harness, store.Projects, e);
        }

        var timeline = await store.Projects.GetTimeline(TestCatalog.Hub, 100, Cancel);
        var limited = await store.Projects.GetTimeline(TestCatalog.Hub, 2, Cancel);

        Assert.Equal([early.EventId, sameA.EventId, sameB.EventId, late.EventId], timeline.Select(r => r.EventId));
        Assert.Equal([early.EventId, sameA.EventId], limited.Select(r => r.EventId));
        Assert.Empty(await store.Projects.GetTimeline("unknown-project", 100, Cancel));
    }

    [Fact]
    public async Task A_timeline_of_ten_thousand_events_is_read_to_the_end_page_by_page_in_both_orders()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        // 10 000 events over 50 instants of occurrence and 3 of recording: every page boundary falls inside ties.
        var events = Enumerable.Range(0, 10_000)
            .Select(i => Record(TestCatalog.Hub, occurredDay: i % 50, recordedSecond: i % 3))
            .ToList();
        await CommitInBatches(store.Projects, events, batchSize: 500);
        await CommitInBatches(store.Projects, [Record(TestCatalog.Park, occurredDay: 1, recordedSecond: 0)], batchSize: 1);
        var expected = events.OrderBy(TimelinePosition.Of).Select(e => e.EventId).ToList();

        var oldestFirst = await ReadToTheEnd(store.Projects, TestCatalog.Hub, TimelineOrder.OldestFirst, limit: 97);
        var newestFirst = await ReadToTheEnd(store.Projects, TestCatalog.Hub, TimelineOrder.NewestFirst, limit: 97);

        Assert.Equal(expected, oldestFirst.Select(e => e.EventId));
        Assert.Equal(Enumerable.Reverse(expected), newestFirst.Select(e => e.EventId));
        var first = oldestFirst.Single(e => e.EventId == events[1234].EventId);
        Assert.Equal(events[1234], first);
        Assert.Equal(events[1234].OccurredAt.UtcTicks, first.OccurredAt.UtcTicks);
        Assert.Equal(events[1234].RecordedAt.UtcTicks, first.RecordedAt.UtcTicks);
    }

    [Fact]
    public async Task Events_that_happened_at_the_same_instant_are_split_across_pages_without_loss_or_repeat()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        // Seven events at one instant: three recorded together, four a second later; only their ids order them within each.
        var events = Enumerable.Range(0, 7).Select(i => Record(TestCatalog.Hub, occurredDay: 5, recordedSecond: i < 3 ? 0 : 1)).ToList();
        await CommitInBatches(store.Projects, events, batchSize: 7);
        var expected = events.OrderBy(TimelinePosition.Of).ToList();

        var first = await store.Projects.GetTimeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.OldestFirst, 2), Cancel);
        var second = await store.Projects.GetTimeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.OldestFirst, 2, first.Next), Cancel);
        var backwards = await store.Projects.GetTimeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.NewestFirst, 3, second.Next), Cancel);

        Assert.Equal(expected.Take(2).Select(e => e.EventId), first.Events.Select(e => e.EventId));
        Assert.Equal(TimelinePosition.Of(expected[1]), first.Next);
        Assert.Equal(expected.Skip(2).Take(2).Select(e => e.EventId), second.Events.Select(e => e.EventId));
        // From the same position the other way: what came before it, latest first.
        Assert.Equal(expected.Take(3).Reverse().Select(e => e.EventId), backwards.Events.Select(e => e.EventId));
        Assert.Null(backwards.Next);
        Assert.Equal(expected.Select(e => e.EventId), (await ReadToTheEnd(store.Projects, TestCatalog.Hub, TimelineOrder.OldestFirst, 2)).Select(e => e.EventId));
        Assert.Equal(expected.Select(e => e.EventId).Reverse(), (await ReadToTheEnd(store.Projects, TestCatalog.Hub, TimelineOrder.NewestFirst, 3)).Select(e => e.EventId));
    }

    [Fact]
    public async Task A_page_after_a_position_that_is_no_event_starts_at_the_next_event_and_the_end_has_no_next()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var events = new[] { Record(TestCatalog.Hub, 1, 0), Record(TestCatalog.Hub, 2, 0), Record(TestCatalog.Hub, 3, 0) };
        await CommitInBatches(store.Projects, events, batchSize: 3);
        var between = new TimelinePosition(events[1].OccurredAt.UtcTicks - 1, 0, Guid.NewGuid());
        var beyond = new TimelinePosition(DateTimeOffset.MaxValue.UtcTicks, 0, Guid.Empty);

        var afterBetween = await store.Projects.GetTimeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.OldestFirst, 10, between), Cancel);
        var beforeBetween = await store.Projects.GetTimeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.NewestFirst, 10, between), Cancel);
        var afterTheEnd = await store.Projects.GetTimeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.OldestFirst, 10, beyond), Cancel);
        var exactlyFull = await store.Projects.GetTimeline(TestCatalog.Hub, new TimelineQuery(TimelineOrder.OldestFirst, 3), Cancel);
        var unknown = await store.Projects.GetTimeline("unknown-project", new TimelineQuery(TimelineOrder.NewestFirst, 10), Cancel);
        var unknownAfter = await store.Projects.GetTimeline("unknown-project", new TimelineQuery(TimelineOrder.OldestFirst, 10, between), Cancel);

        Assert.Equal([events[1].EventId, events[2].EventId], afterBetween.Events.Select(e => e.EventId));
        Assert.Equal([events[0].EventId], beforeBetween.Events.Select(e => e.EventId));
        Assert.Null(afterBetween.Next);
        Assert.Empty(afterTheEnd.Events);
        Assert.Null(afterTheEnd.Next);
        Assert.Equal(3, exactlyFull.Events.Count);
        Assert.Null(exactlyFull.Next);
        Assert.Empty(unknown.Events);
        Assert.Null(unknown.Next);
        Assert.Empty(unknownAfter.Events);
    }

    static int recordCounter;

    /// <summary>A stored report at 09:30 Beijing time on a day of 2023 (with sub-millisecond ticks), recorded on a given second.</summary>
    static EventRecord Record(string projectId, int occurredDay, int recordedSecond)
    {
        var n = Interlocked.Increment(ref recordCounter);
        var occurred = new DateTimeOffset(2023, 1, 1, 9, 30, 0, TimeSpan.FromHours(8)).AddDays(occurredDay).AddTicks(1_234_567);
        return new EventRecord(Guid.NewGuid(), projectId, MilestoneVocabulary.ConstructionStarted, occurred, occurred.AddHours(1),
            TestCatalog.Source, $"report {n}", null, $"fingerprint-{n}", TestEvents.Now.AddSeconds(recordedSecond).AddTicks(4_321));
    }

    /// <summary>Writes the events as the recorder would, a batch at a time, each a commit of the project at its next version.</summary>
    static async Task CommitInBatches(IProjectStore store, IReadOnlyList<EventRecord> events, int batchSize)
    {
        var projectId = events[0].ProjectId;
        long version = 0;
        foreach (var batch in events.Chunk(batchSize))
        {
            var result = await store.Commit(new ProjectCommit(batch, version, ProjectState.Empty(projectId), []), Cancel);
            version = Assert.IsType<CommitResult.Committed>(result).Version;
        }
    }

    /// <summary>Follows the pages' next positions from the start until a page has none; checks each page's size on the way.</summary>
    static async Task<List<EventRecord>> ReadToTheEnd(IProjectStore store, string projectId, TimelineOrder order, int limit)
    {
        var read = new List<EventRecord>();
        TimelinePosition? after = null;
        while (true)
        {
            var page = await store.GetTimeline(projectId, new TimelineQuery(order, limit, after), Cancel);
            Assert.True(page.Events.Count <= limit);
            read.AddRange(page.Events);
            if (page.Next is not { } next)
            {
                return read;
            }
            Assert.Equal(limit, page.Events.Count);
            Assert.Equal(TimelinePosition.Of(page.Events[^1]), next);
            after = next;
        }
    }

    [Fact]
    public async Task Projects_are_listed_with_their_state_and_version()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        Assert.Empty(await store.Projects.ListProjects(Cancel));
        await Complete(harness, store.Projects, TestCatalog.Park);
        var (_, hub) = await Apply(harness, store.Projects, TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Approved, 3));

        var projects = await store.Projects.ListProjects(Cancel);

        Assert.Equal([TestCatalog.Hub, TestCatalog.Park], projects.Select(p => p.State.ProjectId));
        Assert.Equal(new ProjectSnapshot(hub.State, 1), projects[0]);
        Assert.Equal(TestCatalog.Required.Count, projects[1].Version);
        Assert.True(projects[1].State.IsComplete);
    }

    [Fact]
    public async Task A_retraction_reopens_once_the_next_report_completes_again_and_both_announcements_wait_in_the_outbox()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var recorder = Recorder(harness, store);
        var completing = TestEvents.Completing(TestCatalog.Park);
        foreach (var e in completing)
        {
            await recorder.Record(e, Cancel);
        }
        var last = completing[^1];
        var retraction = new Retraction
        {
            EventId = Guid.NewGuid(),
            ProjectId = TestCatalog.Park,
            RetractedEventId = last.EventId,
            Reason = "报错了",
            RetractedAt = TestEvents.Now.AddDays(-1),
            SourceSystem = TestCatalog.Source,
        };

        var retracted = await recorder.Record(retraction, Cancel);
        var again = await recorder.Record(retraction, Cancel);
        var completedAgain = await recorder.Record(TestEvents.Reached(TestCatalog.Park, last.MilestoneCode, 45), Cancel);

        Assert.Equal(1, Assert.IsType<ProjectReopening>(retracted.Announcement).ReopenNumber);
        Assert.Equal(RecordStatus.Duplicate, again.Status);
        Assert.Equal(2, Assert.IsType<ProjectCompletion>(completedAgain.Announcement).CompletionNumber);
        var snapshot = (await store.Projects.LoadProject(TestCatalog.Park, Cancel))!;
        Assert.Equal(retraction.EventId, snapshot.State.Retractions[last.EventId].RetractionEventId);
        Assert.Equal((true, 2, 1), (snapshot.State.IsComplete, snapshot.State.CompletionCount, snapshot.State.ReopenCount));
        var timeline = await store.Projects.GetTimeline(TestCatalog.Park, int.MaxValue, Cancel);
        Assert.Equal(last.EventId, Assert.Single(timeline, r => r.IsRetraction).RetractedEventId);

        var claimed = await store.Outbox.ClaimPending("dispatcher", 100, TimeSpan.FromSeconds(30), Cancel);
        var pending = claimed.Where(p => p.Message is not EventRecordedNotice).ToList();
        Guid[] expected =
        [
            DeterministicGuid.Create($"milestones/project-completed/{TestCatalog.Park}/1"),
            DeterministicGuid.Create($"milestones/project-reopened/{TestCatalog.Park}/1"),
            DeterministicGuid.Create($"milestones/project-completed/{TestCatalog.Park}/2"),
        ];
        Assert.Equal(expected.Order(), pending.Select(p => p.MessageId).Order());
        // And the feed: one item per recorded event (the redelivered retraction recorded once), in the order recorded.
        Assert.Equal(timeline.Select(r => r.EventId).Order(),
            claimed.Select(p => p.Message).OfType<EventRecordedNotice>().Select(n => n.Event.EventId).Order());
        Assert.IsType<ProjectReopening>(pending.Single(p => p.MessageId == retracted.Announcement!.MessageId).Message);
    }

    [Fact]
    public async Task A_batch_writes_each_project_all_or_nothing_on_its_own()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var hubFirst = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Approved, 1);
        var schoolFirst = TestEvents.Reached(TestCatalog.School, MilestoneVocabulary.Approved, 1);
        await Apply(harness, store.Projects, hubFirst);
        await Apply(harness, store.Projects, schoolFirst);
        var hubBefore = await store.Projects.LoadProject(TestCatalog.Hub, Cancel);
        var schoolBefore = await store.Projects.LoadProject(TestCatalog.School, Cancel);

        var staleHub = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);
        var park = TestEvents.Completing(TestCatalog.Park);
        var schoolNew = TestEvents.Reached(TestCatalog.School, MilestoneVocabulary.ConstructionStarted, 5);
        var parkState = park.Aggregate(ProjectState.Empty(TestCatalog.Park), (state, e) => state.Apply(TestCatalog.Plan, e).State);
        var now = harness.Time.GetUtcNow();
        var results = await store.Projects.Commit(
        [
            // Computed from version 0: the project is at 1.
            ProjectCommit.Of(EventRecord.From(staleHub, now), 0, ProjectState.Empty(TestCatalog.Hub).Apply(TestCatalog.Plan, staleHub).State),
            new ProjectCommit([.. park.Select(e => EventRecord.From(e, now))], 0, parkState, []),
            // One new event and one recorded already.
            new ProjectCommit([EventRecord.From(schoolNew, now), EventRecord.From(schoolFirst, now)], schoolBefore!.Version,
                schoolBefore.State.Apply(TestCatalog.Plan, schoolNew).State, []),
        ], Cancel);

        Assert.Equal(3, results.Count);
        Assert.Equal(new CommitResult.VersionConflict(), results[0]);
        Assert.Equal(new CommitResult.Committed(1), results[1]);
        var exists = Assert.IsType<CommitResult.EventsExist>(results[2]);
        Assert.Equal(schoolFirst.Fingerprint, Assert.Single(exists.Fingerprints, f => f.Key == schoolFirst.EventId).Value);
        Assert.DoesNotContain(schoolNew.EventId, exists.Fingerprints.Keys);

        // The refused commits wrote nothing; the other wrote all of its events at one version.
        Assert.Equal(hubBefore, await store.Projects.LoadProject(TestCatalog.Hub, Cancel));
        Assert.Equal(schoolBefore, await store.Projects.LoadProject(TestCatalog.School, Cancel));
        Assert.Equal([hubFirst.EventId], (await store.Projects.GetTimeline(TestCatalog.Hub, 100, Cancel)).Select(r => r.EventId));
        Assert.Equal([schoolFirst.EventId], (await store.Projects.GetTimeline(TestCatalog.School, 100, Cancel)).Select(r => r.EventId));
        Assert.Equal(new ProjectSnapshot(parkState, 1), await store.Projects.LoadProject(TestCatalog.Park, Cancel));
        Assert.Equal(park.Select(e => e.EventId), (await store.Projects.GetTimeline(TestCatalog.Park, 100, Cancel)).Select(r => r.EventId));
        var loaded = await store.Projects.LoadProjects([TestCatalog.Park, TestCatalog.Hub, "never-recorded"], Cancel);
        Assert.Equal([TestCatalog.Hub, TestCatalog.Park], loaded.Select(p => p.State.ProjectId).Order());
    }

    [Fact]
    public async Task A_batch_with_a_refused_input_in_the_middle_records_the_others_in_one_commit_per_project()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var park = TestEvents.Completing(TestCatalog.Park);
        var notInCatalog = TestEvents.Reached("no-such-project", MilestoneVocabulary.Opened, 3);
        var hub = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Approved, 1);
        RecordRequest[] batch =
        [
            RecordRequest.Of(park[0], "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            RecordRequest.Of(park[1]),
            RecordRequest.Of(notInCatalog),
            RecordRequest.Of(park[2]),
            RecordRequest.Of(hub),
            RecordRequest.Of(park[3], "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"),
        ];

        var outcomes = await Recorder(harness, store).Record(batch, Cancel);

        Assert.Equal(
            [RecordStatus.Applied, RecordStatus.Applied, RecordStatus.Rejected, RecordStatus.Applied, RecordStatus.Applied, RecordStatus.Applied],
            outcomes.Select(o => o.Status));
        Assert.Equal(RejectionReason.UnknownProject, outcomes[2].Rejection!.Reason);
        // The last required milestone completed the project, once; its announcement carries that input's trace.
        Assert.Equal([null, null, null, null, null, outcomes[5].Completion], outcomes.Select(o => o.Completion));
        var claimed = await store.Outbox.ClaimPending("dispatcher", 10, TimeSpan.FromSeconds(30), Cancel);
        var pending = Assert.Single(claimed, p => p.Message is ProjectCompletion);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01", pending.TraceParent);
        // Each recorded input's feed item carries that input's trace too.
        Assert.Equal(park.Select(e => e.EventId).Append(hub.EventId).Order(),
            claimed.Select(p => p.Message).OfType<EventRecordedNotice>().Select(n => n.Event.EventId).Order());
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            claimed.Single(p => p.Message is EventRecordedNotice n && n.Event.EventId == park[0].EventId).TraceParent);
        // All of a project's inputs of the batch went into one commit.
        var parkSnapshot = await store.Projects.LoadProject(TestCatalog.Park, Cancel);
        Assert.Equal(1, parkSnapshot!.Version);
        Assert.True(parkSnapshot.State.IsComplete);
        Assert.Equal(1, (await store.Projects.LoadProject(TestCatalog.Hub, Cancel))!.Version);
        Assert.Equal(park.Select(e => e.EventId), (await store.Projects.GetTimeline(TestCatalog.Park, 100, Cancel)).Select(r => r.EventId));
    }

    [Fact]
    public async Task A_batch_with_two_events_of_one_project_and_duplicates_records_each_event_once()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var recorder = Recorder(harness, store);
        var earlier = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Approved, 1);
        await recorder.Record(earlier, Cancel);
        var first = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);
        var second = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 50);
        // Built afresh with the id of an event already recorded: a conflict, not a duplicate.
        var conflicting = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Completed, 60, earlier.EventId);
        RecordRequest[] batch =
        [
            RecordRequest.Of(first),
            RecordRequest.Of(earlier),          // recorded before this batch
            RecordRequest.Of(second),
            RecordRequest.Of(first with { }),   // the same event twice in one batch
            RecordRequest.Of(conflicting),
        ];

        var outcomes = await recorder.Record(batch, Cancel);

        Assert.Equal(
            [RecordStatus.Applied, RecordStatus.Duplicate, RecordStatus.Applied, RecordStatus.Duplicate, RecordStatus.Rejected],
            outcomes.Select(o => o.Status));
        Assert.Equal(RejectionReason.Conflict, outcomes[4].Rejection!.Reason);
        var timeline = await store.Projects.GetTimeline(TestCatalog.Hub, 100, Cancel);
        Assert.Equal([earlier.EventId, first.EventId, second.EventId], timeline.Select(r => r.EventId));
        Assert.Equal(earlier.Fingerprint, timeline[0].Fingerprint);
        var snapshot = await store.Projects.LoadProject(TestCatalog.Hub, Cancel);
        Assert.Equal([MilestoneVocabulary.Approved, MilestoneVocabulary.ConstructionStarted, MilestoneVocabulary.ToppedOut],
            snapshot!.State.Reached.Keys.Order(StringComparer.Ordinal));
        // The whole batch again, as after a crash before its acknowledgements: nothing is applied twice.
        var redelivered = await Recorder(harness, store).Record(batch, Cancel);
        Assert.Equal(
            [RecordStatus.Duplicate, RecordStatus.Duplicate, RecordStatus.Duplicate, RecordStatus.Duplicate, RecordStatus.Rejected],
            redelivered.Select(o => o.Status));
        Assert.Equal(snapshot, await store.Projects.LoadProject(TestCatalog.Hub, Cancel));
    }

    static MilestoneRecorder Recorder(StoreHarness harness, OpenStore store) =>
        new(store.Projects, TestCatalog.Catalog, new MilestoneValidator(TestCatalog.Catalog, harness.Time, ValidationLimits.Default), harness.Time);

    /// <summary>A writer that lost too many version races gets its message redelivered; so does this loop.</summary>
    static async Task<RecordOutcome> RecordLikeTheTransport(MilestoneRecorder recorder, MilestoneEvent e)
    {
        while (true)
        {
            try
            {
                return await recorder.Record(e, Cancel);
            }
            catch (ConcurrencyException)
            {
            }
        }
    }
}
