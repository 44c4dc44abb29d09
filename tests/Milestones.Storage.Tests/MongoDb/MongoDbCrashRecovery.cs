using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using Milestones.Storage.MongoDB;
using Milestones.Storage.Tests.Contract;
using Milestones.Storage.Tests.TestData;
using static Milestones.Storage.Tests.Contract.StoreSteps;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// The MongoDB commit stopped between its writes, then the message redelivered: the crash argument of
/// <see cref="MongoMilestoneStore"/> checked against a real server (skipped when there is none).
/// </summary>
public sealed class MongoDbCrashRecovery(MongoDbServer server)
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
        CrashAfter(store, MongoCommitStep.EventRecorded);

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
        CrashAfter(store, MongoCommitStep.ProjectWritten);

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
        CrashAfter(store, MongoCommitStep.EventRecorded);
        await Assert.ThrowsAsync<InjectedCrash>(() => Apply(harness, store, e));
        store.AfterStep = null;

        var other = TestEvents.Reached(TestCatalog.Hub, Domain.MilestoneVocabulary.Approved, 3, e.EventId, note: "另一份报告");
        var (result, _) = await Apply(harness, store, other);

        Assert.Equal(new CommitResult.EventExists(e.Fingerprint), result);
        Assert.Null(await store.LoadProject(TestCatalog.Hub, Cancel));
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
