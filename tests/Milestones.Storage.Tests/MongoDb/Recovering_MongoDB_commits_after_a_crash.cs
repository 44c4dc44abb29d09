using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using Milestones.Storage.MongoDB;
using Milestones.Storage.Tests.Contract;
using Milestones.Storage.Tests.TestData;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// The MongoDB batch commit stopped between its steps, then the messages redelivered: the crash argument of
/// <see cref="MongoMilestoneStore"/> (and the README's "The commit protocol") checked against a real server (skipped
/// when there is none). No event may be lost and no completion announced twice.
/// </summary>
public sealed class Recovering_MongoDB_commits_after_a_crash(MongoDbServer server)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    sealed class InjectedCrash : Exception;

    [Fact]
    public async Task Crash_after_the_event_write_shows_nothing_and_the_redelivery_completes_the_project_once()
    {
        await using var harness = new MongoDbHarness(server.Require());
        var (store, recorder) = await Open(harness);
        var events = TestEvents.Completing(TestCatalog.Hub);
        foreach (var e in events.SkipLast(1))
        {
            await recorder.Record(e, Cancel);
        }
        var before = await store.LoadProject(TestCatalog.Hub, Cancel);
        CrashAfter(store, MongoCommitStep.EventsInserted);

        await Assert.ThrowsAsync<InjectedCrash>(() => recorder.Record(events[^1], Cancel));

        Assert.Equal(before, await store.LoadProject(TestCatalog.Hub, Cancel));
        Assert.DoesNotContain(await store.GetTimeline(TestCatalog.Hub, 100, Cancel), r => r.EventId == events[^1].EventId);
        Assert.Equal(new OutboxBacklog(0, null), await store.GetBacklog(Cancel));

        store.AfterStep = null;
        var redelivered = await recorder.Record(events[^1], Cancel);

        Assert.Equal(RecordStatus.Applied, redelivered.Status);
        Assert.NotNull(redelivered.Completion);
        Assert.Equal(1, (await store.GetBacklog(Cancel)).Count);
        Assert.Contains(await store.GetTimeline(TestCatalog.Hub, 100, Cancel), r => r.EventId == events[^1].EventId);
    }

    [Fact]
    public async Task Crash_after_the_project_write_is_finished_by_the_redelivery_without_a_second_completion()
    {
        await using var harness = new MongoDbHarness(server.Require());
        var (store, recorder) = await Open(harness);
        var events = TestEvents.Completing(TestCatalog.Hub);
        foreach (var e in events.SkipLast(1))
        {
            await recorder.Record(e, Cancel);
        }
        CrashAfter(store, MongoCommitStep.ProjectsWritten);

        await Assert.ThrowsAsync<InjectedCrash>(() => recorder.Record(events[^1], Cancel));

        // The state and its outbox entry are durable together; the event is not yet in the timeline.
        Assert.True((await store.LoadProject(TestCatalog.Hub, Cancel))!.State.IsComplete);
        Assert.Equal(1, (await store.GetBacklog(Cancel)).Count);
        Assert.DoesNotContain(await store.GetTimeline(TestCatalog.Hub, 100, Cancel), r => r.EventId == events[^1].EventId);

        store.AfterStep = null;
        var redelivered = await recorder.Record(events[^1], Cancel);
        var again = await recorder.Record(events[^1], Cancel);

        Assert.Equal(RecordStatus.Applied, redelivered.Status);
        Assert.False(redelivered.Changed);
        Assert.Null(redelivered.Completion);
        Assert.Equal(RecordStatus.Duplicate, again.Status);
        var snapshot = await store.LoadProject(TestCatalog.Hub, Cancel);
        Assert.Equal(1, snapshot!.State.CompletionCount);
        Assert.Equal(1, (await store.GetBacklog(Cancel)).Count);
        Assert.Contains(await store.GetTimeline(TestCatalog.Hub, 100, Cancel), r => r.EventId == events[^1].EventId);
    }

    [Fact]
    public async Task Unapplied_event_still_refuses_another_payload_under_its_id()
    {
        await using var harness = new MongoDbHarness(server.Require());
        var (store, _) = await Open(harness);
        var e = TestEvents.Reached(TestCatalog.Hub, Domain.MilestoneVocabulary.Approved, 3);
        CrashAfter(store, MongoCommitStep.EventsInserted);
        await Assert.ThrowsAsync<InjectedCrash>(() => CommitFirst(harness, store, e));
        store.AfterStep = null;

        var other = TestEvents.Reached(TestCatalog.Hub, Domain.MilestoneVocabulary.Approved, 3, e.EventId, note: "另一份报告");
        var result = await CommitFirst(harness, store, other);

        var exists = Assert.IsType<CommitResult.EventsExist>(result);
        Assert.Equal(new Dictionary<Guid, string> { [e.EventId] = e.Fingerprint }, exists.Fingerprints);
        Assert.Null(await store.LoadProject(TestCatalog.Hub, Cancel));
    }

    [Fact]
    public async Task Batch_with_two_events_of_a_project_and_a_duplicate_records_the_two_and_reports_the_duplicate()
    {
        await using var harness = new MongoDbHarness(server.Require());
        var (store, recorder) = await Open(harness);
        var hub = TestEvents.Completing(TestCatalog.Hub);
        var park = TestEvents.Completing(TestCatalog.Park);
        await recorder.Record(hub[0], Cancel);
        var version = (await store.LoadProject(TestCatalog.Hub, Cancel))!.Version;

        // One round: hub's commit holds hub[1], hub[2] and the already recorded hub[0]; the store refuses that commit
        // (EventsExist), the recorder reports hub[0] as a duplicate and commits hub[1], hub[2] in the next round.
        var outcomes = await recorder.Record(
            [RecordRequest.Of(hub[1]), RecordRequest.Of(park[0]), RecordRequest.Of(hub[2]), RecordRequest.Of(hub[0])], Cancel);

        Assert.Equal([RecordStatus.Applied, RecordStatus.Applied, RecordStatus.Applied, RecordStatus.Duplicate], outcomes.Select(o => o.Status));
        var snapshot = (await store.LoadProject(TestCatalog.Hub, Cancel))!;
        Assert.Equal(version + 1, snapshot.Version);
        Assert.Equal(3, snapshot.State.Reached.Count);
        Assert.Equal(hub.Take(3).Select(e => e.EventId), (await store.GetTimeline(TestCatalog.Hub, 100, Cancel)).Select(r => r.EventId));
        Assert.Equal([park[0].EventId], (await store.GetTimeline(TestCatalog.Park, 100, Cancel)).Select(r => r.EventId));
        Assert.Equal(1, (await store.LoadProject(TestCatalog.Park, Cancel))!.Version);
    }

    [Fact]
    public async Task Batch_crash_after_the_event_insert_loses_nothing_and_the_redelivery_completes_each_project_once()
    {
        await using var harness = new MongoDbHarness(server.Require());
        var (store, recorder) = await Open(harness);
        var batch = await CompletingBatch(recorder);
        var before = await store.LoadProjects([TestCatalog.Hub, TestCatalog.Park], Cancel);
        CrashAfter(store, MongoCommitStep.EventsInserted);

        var crashed = await recorder.Record(batch, Cancel);

        Assert.All(crashed, o => Assert.IsType<InjectedCrash>(o.Failure));
        // The events are stored unapplied: no state, no outbox entry, nothing in the timelines.
        Assert.Equal(before, await store.LoadProjects([TestCatalog.Hub, TestCatalog.Park], Cancel));
        Assert.Equal(new OutboxBacklog(0, null), await store.GetBacklog(Cancel));
        await AssertTimelineLacks(store, batch);

        store.AfterStep = null;
        var redelivered = await recorder.Record(batch, Cancel);
        var again = await recorder.Record(batch, Cancel);

        Assert.All(redelivered, o => Assert.Equal(RecordStatus.Applied, o.Status));
        Assert.All(redelivered, o => Assert.True(o.Changed));
        // Each project completes once, on its last event of the batch.
        Assert.Equal([null, TestCatalog.Hub, null, TestCatalog.Park], redelivered.Select(o => o.Completion?.ProjectId));
        Assert.All(again, o => Assert.Equal(RecordStatus.Duplicate, o.Status));
        await AssertCompletedOnce(store, batch);
    }

    [Fact]
    public async Task Batch_crash_after_the_project_writes_is_finished_by_the_redelivery_without_a_second_completion()
    {
        await using var harness = new MongoDbHarness(server.Require());
        var (store, recorder) = await Open(harness);
        var batch = await CompletingBatch(recorder);
        CrashAfter(store, MongoCommitStep.ProjectsWritten);

        var crashed = await recorder.Record(batch, Cancel);

        Assert.All(crashed, o => Assert.IsType<InjectedCrash>(o.Failure));
        // Both states and their completions are durable; the batch's events are not yet in the timelines.
        foreach (var snapshot in await store.LoadProjects([TestCatalog.Hub, TestCatalog.Park], Cancel))
        {
            Assert.True(snapshot.State.IsComplete);
        }
        Assert.Equal(2, (await store.GetBacklog(Cancel)).Count);
        await AssertTimelineLacks(store, batch);

        // Redelivered to another replica (a new recorder knows nothing of the projects) and to this one.
        store.AfterStep = null;
        var other = new MilestoneRecorder(store, TestCatalog.Catalog,
            new MilestoneValidator(TestCatalog.Catalog, harness.Time, ValidationLimits.Default), harness.Time);
        var redelivered = await other.Record(batch, Cancel);
        var again = await recorder.Record(batch, Cancel);

        Assert.All(redelivered, o => Assert.Equal(RecordStatus.Applied, o.Status));
        Assert.All(redelivered, o => Assert.False(o.Changed));
        Assert.All(redelivered, o => Assert.Null(o.Announcement));
        Assert.All(again, o => Assert.Equal(RecordStatus.Duplicate, o.Status));
        await AssertCompletedOnce(store, batch);
    }

    /// <summary>
    /// Records all but the last two reports of hub and park one by one, and returns the batch of those last two of
    /// each, interleaved, which completes both projects.
    /// </summary>
    static async Task<IReadOnlyList<RecordRequest>> CompletingBatch(MilestoneRecorder recorder)
    {
        var hub = TestEvents.Completing(TestCatalog.Hub);
        var park = TestEvents.Completing(TestCatalog.Park);
        foreach (var e in hub.SkipLast(2).Concat(park.SkipLast(2)))
        {
            Assert.Equal(RecordStatus.Applied, (await recorder.Record(e, Cancel)).Status);
        }
        return [RecordRequest.Of(hub[^2]), RecordRequest.Of(hub[^1]), RecordRequest.Of(park[^2]), RecordRequest.Of(park[^1])];
    }

    static async Task AssertTimelineLacks(MongoMilestoneStore store, IReadOnlyList<RecordRequest> batch)
    {
        foreach (var request in batch)
        {
            Assert.DoesNotContain(await store.GetTimeline(request.ProjectId, 100, Cancel), r => r.EventId == request.EventId);
        }
    }

    /// <summary>Every event of the batch in its project's timeline once; each project complete once, with one pending completion.</summary>
    static async Task AssertCompletedOnce(MongoMilestoneStore store, IReadOnlyList<RecordRequest> batch)
    {
        foreach (var project in batch.GroupBy(r => r.ProjectId))
        {
            var timeline = await store.GetTimeline(project.Key, 100, Cancel);
            Assert.Equal(timeline.Count, timeline.Select(r => r.EventId).Distinct().Count());
            Assert.All(project, r => Assert.Contains(timeline, t => t.EventId == r.EventId));
            Assert.Equal(TestCatalog.Required.Count, timeline.Count);
            var snapshot = (await store.LoadProject(project.Key, Cancel))!;
            Assert.True(snapshot.State.IsComplete);
            Assert.Equal(1, snapshot.State.CompletionCount);
        }
        var projects = batch.Select(r => r.ProjectId).Distinct().Count();
        Assert.Equal(projects, (await store.GetBacklog(Cancel)).Count);
        var claimed = await store.ClaimPending("test", 100, TimeSpan.FromMinutes(1), Cancel);
        Assert.Equal(projects, claimed.Count);
        Assert.All(claimed, e => Assert.IsType<ProjectCompletion>(e.Message));
        Assert.Equal(projects, claimed.Select(e => e.ProjectId).Distinct().Count());
    }

    /// <summary>One first commit of <paramref name="e"/> to a project with no state, as the recorder would send it.</summary>
    static Task<CommitResult> CommitFirst(MongoDbHarness harness, MongoMilestoneStore store, MilestoneEvent e)
    {
        var state = ProjectState.Empty(e.ProjectId).Apply(TestCatalog.Plan, e).State;
        return store.Commit(ProjectCommit.Of(EventRecord.From(e, harness.Time.GetUtcNow()), 0, state), Cancel);
    }

    static async Task<(MongoMilestoneStore Store, MilestoneRecorder Recorder)> Open(MongoDbHarness harness)
    {
        var store = harness.OpenMongo(out _);
        await store.EnsureIndexes(Cancel);
        var recorder = new MilestoneRecorder(store, TestCatalog.Catalog,
            new MilestoneValidator(TestCatalog.Catalog, harness.Time, ValidationLimits.Default), harness.Time);
        return (store, recorder);
    }

    static void CrashAfter(MongoMilestoneStore store, MongoCommitStep step) =>
        store.AfterStep = s =>
        {
            if (s == step)
            {
                throw new InjectedCrash();
            }
        };
}
