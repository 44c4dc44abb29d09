using System.Diagnostics;
using Milestones.Domain;
using Milestones.Domain.Recording;
using Milestones.Domain.Validation;
using Milestones.Storage.Tests.Contract;
using Milestones.Storage.Tests.TestData;

namespace Milestones.Storage.Tests.Sqlite;

/// <summary>
/// The recorder on the SQLite store: events of one project submitted together are chained and share one group
/// commit, and a replica's remembered project state that another replica made stale is noticed, not written over.
/// </summary>
public sealed class SqlitePipelinedRecording
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_of_one_project_recorded_at_once_share_one_group_and_complete_it_once()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var recorder = Recorder(harness, store);
        var events = TestCatalog.Required.Concat(TestCatalog.Required)
            .Select((code, i) => TestEvents.Reached(TestCatalog.Hub, code, 1 + i)).ToList();
        var groupsBefore = store.Writer.Groups;

        Task<RecordOutcome>[] recording;
        await using (var held = await SqliteGroupCommit.HeldWriter.Hold(harness, store))
        {
            recording = events.Select(e => recorder.Record(e, Cancel)).ToArray();
            // Every commit is queued while the first is still unwritten: none waited for another's disk write.
            var waited = Stopwatch.StartNew();
            while (store.Writer.Queued < events.Count)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"only {store.Writer.Queued} of {events.Count} commits were queued");
                await Task.Delay(10, Cancel);
            }
        }
        var outcomes = await Task.WhenAll(recording);

        Assert.All(outcomes, o => Assert.Equal(RecordStatus.Applied, o.Status));
        Assert.Single(outcomes, o => o.Completion is not null);
        Assert.Equal(groupsBefore + 2, store.Writer.Groups);
        var snapshot = await store.LoadProject(TestCatalog.Hub, Cancel);
        Assert.Equal(events.Count, snapshot!.Version);
        Assert.True(snapshot.State.IsComplete);
        Assert.Equal(1, (await store.GetBacklog(Cancel)).Count);
    }

    [Fact]
    public async Task A_project_changed_by_another_replica_is_read_again_and_nothing_is_lost()
    {
        await using var harness = new SqliteHarness();
        await using var first = harness.OpenSqlite(out var storeA);
        await using var second = harness.OpenSqlite(out var storeB);
        var replicaA = Recorder(harness, storeA);
        var replicaB = Recorder(harness, storeB);
        var events = TestEvents.Completing(TestCatalog.Hub);

        // A remembers the project at version 1; B moves it to 2; A's next event must build on B's, not on its memory.
        Assert.Equal(RecordStatus.Applied, (await replicaA.Record(events[0], Cancel)).Status);
        Assert.Equal(RecordStatus.Applied, (await replicaB.Record(events[1], Cancel)).Status);
        Assert.Equal(RecordStatus.Applied, (await replicaA.Record(events[2], Cancel)).Status);
        var last = await replicaB.Record(events[3], Cancel);

        Assert.NotNull(last.Completion);
        var snapshot = await storeA.LoadProject(TestCatalog.Hub, Cancel);
        Assert.Equal(4, snapshot!.Version);
        Assert.Equal(TestCatalog.Required.Order(StringComparer.Ordinal), snapshot.State.Reached.Keys);
    }

    static MilestoneRecorder Recorder(SqliteHarness harness, Milestones.Storage.Sqlite.SqliteMilestoneStore store) =>
        new(store, TestCatalog.Catalog, new MilestoneValidator(TestCatalog.Catalog, harness.Time, ValidationLimits.Default), harness.Time);
}
