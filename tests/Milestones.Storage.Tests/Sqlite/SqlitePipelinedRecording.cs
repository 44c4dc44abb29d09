using System.Diagnostics;
using Milestones.Domain;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
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

    [Fact]
    public async Task A_retry_after_a_failed_commit_waits_for_the_commits_chained_to_it_instead_of_failing_with_them()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var sqlite);
        var store = new ConflictCounter(sqlite);
        var recorder = Recorder(harness, store);
        var recorded = TestEvents.Reached(TestCatalog.Hub, TestCatalog.Required[0], 1);
        Assert.Equal(RecordStatus.Applied, (await recorder.Record(recorded, Cancel)).Status);
        var (a, b, c) = (TestEvents.Reached(TestCatalog.Hub, TestCatalog.Required[1], 2),
            TestEvents.Reached(TestCatalog.Hub, TestCatalog.Required[2], 3), TestEvents.Reached(TestCatalog.Hub, TestCatalog.Required[0], 4));
        var groups = new GroupGate(sqlite, hold: 3);

        // Group 1 (another project) holds the writer while the redelivered event and A, chained to it, queue as group 2.
        var blocker = recorder.Record(TestEvents.Reached(TestCatalog.Park, TestCatalog.Required[0], 1), Cancel);
        await groups.Entered(1);
        var redelivered = recorder.Record(recorded, Cancel);
        var recordA = recorder.Record(a, Cancel);
        await store.WaitForSubmitted(3);
        groups.Release(1);
        // Group 2 is written (the redelivery refused, so A is a conflict) while B and C, chained to A, queue as group 3.
        await groups.Entered(2);
        var recordB = recorder.Record(b, Cancel);
        var recordC = recorder.Record(c, Cancel);
        await store.WaitForSubmitted(5);
        groups.Release(2);
        // A's retry comes while group 3 is held: B and C are still pending, and doomed. Give it time to be submitted.
        await groups.Entered(3);
        await Task.Delay(300, Cancel);
        groups.Release(3);

        Assert.Equal(RecordStatus.Applied, (await blocker).Status);
        Assert.Equal(RecordStatus.Duplicate, (await redelivered).Status);
        Assert.All(await Task.WhenAll(recordA, recordB, recordC), o => Assert.Equal(RecordStatus.Applied, o.Status));
        // A failed once, with its base; it was not chained again onto B and C, which were bound to fail with it.
        Assert.Equal(1, store.ConflictsOf(a.EventId));
        Assert.Equal(4, (await sqlite.LoadProject(TestCatalog.Hub, Cancel))!.Version);
    }

    /// <summary>Holds the writer just before the COMMIT of each of the first <c>hold</c> groups until released.</summary>
    sealed class GroupGate
    {
        readonly SemaphoreSlim[] entered;
        readonly SemaphoreSlim[] released;
        int groups;

        public GroupGate(Milestones.Storage.Sqlite.SqliteMilestoneStore store, int hold)
        {
            entered = [.. Enumerable.Range(0, hold).Select(_ => new SemaphoreSlim(0))];
            released = [.. Enumerable.Range(0, hold).Select(_ => new SemaphoreSlim(0))];
            store.AfterStep = step =>
            {
                if (step == Milestones.Storage.Sqlite.CommitStep.GroupWritten && Interlocked.Increment(ref groups) is var n && n <= hold)
                {
                    entered[n - 1].Release();
                    released[n - 1].Wait(TimeSpan.FromSeconds(30));
                }
            };
        }

        public async Task Entered(int group) =>
            Assert.True(await entered[group - 1].WaitAsync(TimeSpan.FromSeconds(30), Cancel), $"group {group} was never written");

        public void Release(int group) => released[group - 1].Release();
    }

    /// <summary>The store as it is, with each version conflict counted by event; hands back the store's own tasks.</summary>
    sealed class ConflictCounter(Milestones.Storage.Sqlite.SqliteMilestoneStore inner) : IPipelinedProjectStore
    {
        readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> conflicts = new();
        int submitted;

        public int ConflictsOf(Guid eventId) => conflicts.GetValueOrDefault(eventId);

        public async Task WaitForSubmitted(int count)
        {
            var waited = Stopwatch.StartNew();
            while (Volatile.Read(ref submitted) < count)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"only {submitted} of {count} commits were submitted");
                await Task.Delay(5, Cancel);
            }
        }

        public Task<CommitResult> Commit(ProjectCommit commit, CancellationToken cancellationToken) =>
            Count(commit, inner.Commit(commit, cancellationToken));

        public Task<CommitResult> CommitAfter(ProjectCommit commit, Task<CommitResult> predecessor, CancellationToken cancellationToken) =>
            Count(commit, inner.CommitAfter(commit, predecessor, cancellationToken));

        Task<CommitResult> Count(ProjectCommit commit, Task<CommitResult> task)
        {
            Interlocked.Increment(ref submitted);
            task.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully && t.Result is CommitResult.VersionConflict)
                {
                    conflicts.AddOrUpdate(commit.Event.EventId, 1, (_, n) => n + 1);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return task;
        }

        public Task<ProjectSnapshot?> LoadProject(string projectId, CancellationToken cancellationToken) => inner.LoadProject(projectId, cancellationToken);
        public Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken) => inner.ListProjects(cancellationToken);
        public Task<IReadOnlyList<EventRecord>> GetTimeline(string projectId, int limit, CancellationToken cancellationToken) =>
            inner.GetTimeline(projectId, limit, cancellationToken);
    }

    static MilestoneRecorder Recorder(SqliteHarness harness, IProjectStore store) =>
        new(store, TestCatalog.Catalog, new MilestoneValidator(TestCatalog.Catalog, harness.Time, ValidationLimits.Default), harness.Time);
}
