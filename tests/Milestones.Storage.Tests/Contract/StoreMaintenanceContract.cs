using Milestones.Domain;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using Milestones.Storage.Tests.TestData;
using static Milestones.Storage.Tests.Contract.StoreSteps;

namespace Milestones.Storage.Tests.Contract;

/// <summary>
/// What every store must guarantee to the operations commands (<see cref="IStoreMaintenance"/>): the event record read
/// back in the order it was recorded, a recomputed state written only at the version it was computed from (and never
/// with an outbox entry), and the outbox's leases listed and released only as they were listed. Runs on each store as
/// the store contract does.
/// </summary>
public abstract class StoreMaintenanceContract
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected abstract StoreHarness CreateHarness();

    static IStoreMaintenance Maintenance(OpenStore store) => (IStoreMaintenance)store.Projects;

    static MilestoneRecorder Recorder(StoreHarness harness, IProjectStore store) =>
        new(store, TestCatalog.Catalog, new MilestoneValidator(TestCatalog.Catalog, harness.Time, ValidationLimits.Default), harness.Time);

    [Fact]
    public async Task Events_are_read_back_in_the_order_they_were_recorded_retractions_included()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var recorder = Recorder(harness, store.Projects);
        // Recorded in an order unlike their occurrence order, across several batches and rounds.
        var late = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 90);
        var early = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);
        var other = TestEvents.Reached(TestCatalog.Park, MilestoneVocabulary.ConstructionStarted, 6);
        var retraction = new Retraction
        {
            EventId = Guid.NewGuid(), ProjectId = TestCatalog.Hub, RetractedEventId = late.EventId, Reason = "reported by mistake",
            RetractedAt = TestEvents.Now.AddDays(-1), SourceSystem = TestCatalog.Source,
        };
        var again = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 95);
        await recorder.Record([RecordRequest.Of(late), RecordRequest.Of(other)], Cancel);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await recorder.Record([RecordRequest.Of(early)], Cancel);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        // One call, two rounds: the retraction waits for the report before it, and the report after it rides with it.
        await recorder.Record([RecordRequest.Of(TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Completed, 100, note: null)), RecordRequest.Of(retraction), RecordRequest.Of(again)], Cancel);

        var events = await Maintenance(store).ReadEventsInRecordedOrder(TestCatalog.Hub, Cancel);

        Assert.Equal(5, events.Count);
        Assert.Equal([late.EventId, early.EventId], events.Take(2).Select(e => e.EventId));
        Assert.Equal(MilestoneVocabulary.Completed, events[2].MilestoneCode);
        Assert.Equal(retraction.EventId, events[3].EventId);
        Assert.Equal(late.EventId, events[3].RetractedEventId);
        Assert.Equal(again.EventId, events[4].EventId);
        Assert.Equal([TestCatalog.Hub, TestCatalog.Park], await Maintenance(store).ListProjectsWithEvents(Cancel));
        Assert.Empty(await Maintenance(store).ReadEventsInRecordedOrder(TestCatalog.School, Cancel));
    }

    [Fact]
    public async Task A_replayed_state_equals_the_recorded_one()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var recorder = Recorder(harness, store.Projects);
        var completing = TestEvents.Completing(TestCatalog.Hub);
        foreach (var e in completing.Reverse())
        {
            await recorder.Record(e, Cancel);
        }
        await recorder.Record(new Retraction
        {
            EventId = Guid.NewGuid(), ProjectId = TestCatalog.Hub, RetractedEventId = completing[0].EventId, Reason = "wrong site",
            RetractedAt = TestEvents.Now.AddDays(-1), SourceSystem = TestCatalog.Source,
        }, Cancel);

        var stored = (await store.Projects.LoadProject(TestCatalog.Hub, Cancel))!;
        var events = await Maintenance(store).ReadEventsInRecordedOrder(TestCatalog.Hub, Cancel);
        var replayed = ProjectReplay.Replay(TestCatalog.Hub, TestCatalog.Plan, events, _ => true);

        Assert.Equal(stored.State, replayed.State);
        Assert.Equal(1, replayed.State.ReopenCount);
        Assert.Equal(2, replayed.Announcements.Count);
        // Where the store keeps published entries, it knows both announcements were enqueued.
        if (await Maintenance(store).ReadEnqueuedMessageIds(TestCatalog.Hub, Cancel) is { } enqueued)
        {
            // Both announcements, and the feed item of every recorded event.
            var feed = events.Select(e => new EventRecordedNotice(e, Changed: true, ProjectComplete: false).MessageId);
            Assert.Equal(replayed.Announcements.Select(a => a.MessageId).Concat(feed).ToHashSet(), enqueued.ToHashSet());
            Assert.Empty((await Maintenance(store).ReadEnqueuedMessageIds(TestCatalog.Park, Cancel))!);
        }
    }

    [Fact]
    public async Task A_state_is_replaced_only_at_the_version_it_was_computed_from_and_without_outbox_entries()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        await Complete(harness, store.Projects, TestCatalog.Hub);
        var backlog = await store.Outbox.GetBacklog(Cancel);
        var stored = (await store.Projects.LoadProject(TestCatalog.Hub, Cancel))!;
        var corrupted = stored.State with { IsComplete = false, CompletionCount = 0 };

        Assert.False(await Maintenance(store).ReplaceState(corrupted, stored.Version - 1, Cancel));
        Assert.Equal(stored, await store.Projects.LoadProject(TestCatalog.Hub, Cancel));

        Assert.True(await Maintenance(store).ReplaceState(corrupted, stored.Version, Cancel));
        var replaced = (await store.Projects.LoadProject(TestCatalog.Hub, Cancel))!;
        Assert.Equal(corrupted, replaced.State);
        Assert.Equal(stored.Version + 1, replaced.Version);
        Assert.Equal(backlog, await store.Outbox.GetBacklog(Cancel));

        // Version 0: only a project without a state row.
        Assert.False(await Maintenance(store).ReplaceState(corrupted, 0, Cancel));
        var fresh = ProjectState.Empty(TestCatalog.Park);
        Assert.True(await Maintenance(store).ReplaceState(fresh, 0, Cancel));
        Assert.Equal(new ProjectSnapshot(fresh, 1), await store.Projects.LoadProject(TestCatalog.Park, Cancel));
        // The recorder carries on from the replaced version.
        var (result, _) = await Apply(harness, store.Projects, TestEvents.Reached(TestCatalog.Park, MilestoneVocabulary.ConstructionStarted, 3));
        Assert.Equal(new CommitResult.Committed(2), result);
    }

    [Fact]
    public async Task Pending_entries_are_listed_with_their_lease_and_a_listed_lease_is_released_once()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var completion = await Complete(harness, store.Projects, TestCatalog.Hub);

        var pending = Assert.Single(await Maintenance(store).ListPendingOutbox(Cancel));
        Assert.Equal((completion.MessageId, TestCatalog.Hub, PendingOutboxEntry.Completed, 1, null as string), (pending.MessageId, pending.ProjectId, pending.Kind, pending.Number, pending.LeaseOwner));
        Assert.False(await Maintenance(store).ReleaseLease(pending, Cancel));

        await store.Outbox.ClaimPending("dispatcher-a", 10, TimeSpan.FromMinutes(30), Cancel);
        var leased = Assert.Single(await Maintenance(store).ListPendingOutbox(Cancel));
        Assert.Equal("dispatcher-a", leased.LeaseOwner);
        Assert.Equal(harness.Time.GetUtcNow().AddMinutes(30).UtcTicks / TimeSpan.TicksPerMillisecond, leased.LeaseUntil!.Value.UtcTicks / TimeSpan.TicksPerMillisecond);
        // The lease is running: another dispatcher cannot claim it...
        Assert.Empty(await store.Outbox.ClaimPending("dispatcher-b", 10, TimeSpan.FromMinutes(1), Cancel));

        Assert.True(await Maintenance(store).ReleaseLease(leased, Cancel));
        Assert.False(await Maintenance(store).ReleaseLease(leased, Cancel));
        // ...until it is released; the entry is still pending, and claimed once.
        Assert.Null(Assert.Single(await Maintenance(store).ListPendingOutbox(Cancel)).LeaseOwner);
        var claimed = Assert.Single(await store.Outbox.ClaimPending("dispatcher-b", 10, TimeSpan.FromMinutes(1), Cancel));
        Assert.Equal(completion.MessageId, claimed.MessageId);

        // A lease taken again since the listing is not released.
        Assert.False(await Maintenance(store).ReleaseLease(leased with { LeaseOwner = "dispatcher-b" }, Cancel));
        await store.Outbox.MarkSent([completion.MessageId], harness.Time.GetUtcNow(), Cancel);
        Assert.Empty(await Maintenance(store).ListPendingOutbox(Cancel));
    }
}

/// <summary>The maintenance contract on the embedded SQLite store; runs everywhere.</summary>
public sealed class SqliteStoreMaintenanceContract : StoreMaintenanceContract
{
    protected override StoreHarness CreateHarness() => new SqliteHarness();
}

/// <summary>The maintenance contract on MongoDB; runs when <see cref="MongoDbServer"/> finds a server, else each test is skipped with the reason.</summary>
public sealed class MongoDbStoreMaintenanceContract(MongoDbServer server) : StoreMaintenanceContract
{
    protected override StoreHarness CreateHarness() => new MongoDbHarness(server.Require());
}
