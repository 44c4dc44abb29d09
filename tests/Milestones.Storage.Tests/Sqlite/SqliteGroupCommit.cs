using Milestones.Domain;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.Sqlite;
using Milestones.Storage.Tests.Contract;
using Milestones.Storage.Tests.TestData;
using static Milestones.Storage.Tests.Contract.StoreSteps;

namespace Milestones.Storage.Tests.Sqlite;

/// <summary>
/// The SQLite store's group commit: commits queued while a transaction is being written share the next one, each in
/// its own savepoint. To put commits into one group on purpose, a test holds the writer inside a first group
/// (<see cref="HeldWriter"/>), queues them, then lets it go.
/// </summary>
public sealed class SqliteGroupCommit
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    internal sealed class InjectedCrash : Exception;

    [Fact]
    public async Task Commits_queued_while_a_group_is_written_share_the_next_transaction()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        Task<CommitResult>[] commits;
        await using (var held = await HeldWriter.Hold(harness, store))
        {
            commits = Enumerable.Range(0, 20)
                .Select(i => store.Commit(First(harness, TestEvents.Reached($"project-{i}", MilestoneVocabulary.ConstructionStarted, i)), Cancel))
                .ToArray();
        }

        var results = await Task.WhenAll(commits);

        Assert.All(results, r => Assert.Equal(new CommitResult.Committed(1), r));
        Assert.Equal(2, store.Writer.Groups);   // the held group, then all twenty together
        Assert.Equal(20, (await store.ListProjects(Cancel)).Count - 1);
    }

    [Fact]
    public async Task Crash_before_the_group_commits_leaves_none_of_it_and_fails_every_caller()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var events = TestEvents.Completing(TestCatalog.Hub);
        for (var i = 0; i < events.Count - 1; i++)
        {
            await Apply(harness, store, events[i]);
        }
        var before = await store.LoadProject(TestCatalog.Hub, Cancel);
        var others = new[] { TestCatalog.Park, TestCatalog.School }
            .Select(p => TestEvents.Reached(p, MilestoneVocabulary.ConstructionStarted, 3)).ToList();

        Task<CommitResult>[] group;
        await using (var held = await HeldWriter.Hold(harness, store))
        {
            group =
            [
                (await Prepare(harness, store, events[^1])),   // the completing one: state and outbox entry
                .. await Task.WhenAll(others.Select(e => Prepare(harness, store, e))),
            ];
            held.ThenCrashBeforeCommit();
        }

        foreach (var commit in group)
        {
            await Assert.ThrowsAsync<InjectedCrash>(() => commit);
        }
        Assert.Equal(before, await store.LoadProject(TestCatalog.Hub, Cancel));
        Assert.Null(await store.LoadProject(TestCatalog.Park, Cancel));
        Assert.Null(await store.LoadProject(TestCatalog.School, Cancel));
        Assert.Equal(new OutboxBacklog(0, null), await store.GetBacklog(Cancel));
        Assert.DoesNotContain(await store.GetTimeline(TestCatalog.Hub, 100, Cancel), r => r.EventId == events[^1].EventId);

        store.AfterStep = null;
        Assert.IsType<CommitResult.Committed>((await Apply(harness, store, events[^1])).Result);
        Assert.Equal(1, (await store.GetBacklog(Cancel)).Count);
    }

    [Fact]
    public async Task A_refused_or_failing_commit_leaves_the_rest_of_its_group_alone()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var recorded = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 1);
        await Apply(harness, store, recorded);
        var failing = TestEvents.Reached(TestCatalog.School, MilestoneVocabulary.ConstructionStarted, 4);
        var good = TestEvents.Reached(TestCatalog.Park, MilestoneVocabulary.ConstructionStarted, 2);
        var stale = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 3);
        var groupsBefore = store.Writer.Groups;

        Task<CommitResult> duplicate, conflict, throws, committed;
        await using (var held = await HeldWriter.Hold(harness, store))
        {
            duplicate = store.Commit(Commit(harness, recorded, 1, Applied(recorded)), Cancel);
            conflict = store.Commit(Commit(harness, stale, 0, Applied(stale)), Cancel);   // the project is at version 1
            throws = store.Commit(First(harness, failing), Cancel);
            committed = store.Commit(First(harness, good), Cancel);
            // In queue order: the duplicate stops before its event is written, the conflict before its state, so
            // the first commit of the group to write its state is the one of `failing`.
            held.ThenCrashAtFirst(CommitStep.StateWritten);
        }

        Assert.Equal(new CommitResult.EventExists(recorded.Fingerprint), await duplicate);
        Assert.Equal(new CommitResult.VersionConflict(), await conflict);
        await Assert.ThrowsAsync<InjectedCrash>(() => throws);
        Assert.Equal(new CommitResult.Committed(1), await committed);
        Assert.Equal(groupsBefore + 2, store.Writer.Groups);   // the held group, then these four together

        Assert.Equal(1, (await store.LoadProject(TestCatalog.Hub, Cancel))!.Version);
        Assert.Equal([recorded.EventId], (await store.GetTimeline(TestCatalog.Hub, 10, Cancel)).Select(r => r.EventId));
        Assert.Null(await store.LoadProject(TestCatalog.School, Cancel));
        Assert.Empty(await store.GetTimeline(TestCatalog.School, 10, Cancel));
        Assert.Equal([good.EventId], (await store.GetTimeline(TestCatalog.Park, 10, Cancel)).Select(r => r.EventId));
    }

    [Fact]
    public async Task Two_commits_of_one_project_from_one_version_in_one_group_let_only_the_first_through()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var first = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);
        var second = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 50);

        Task<CommitResult> a, b;
        await using (var held = await HeldWriter.Hold(harness, store))
        {
            a = store.Commit(First(harness, first), Cancel);
            b = store.Commit(First(harness, second), Cancel);
        }

        Assert.Equal(new CommitResult.Committed(1), await a);
        Assert.Equal(new CommitResult.VersionConflict(), await b);
        Assert.Equal(2, store.Writer.Groups);
        Assert.Equal([first.EventId], (await store.GetTimeline(TestCatalog.Hub, 10, Cancel)).Select(r => r.EventId));
    }

    [Fact]
    public async Task A_commit_chained_to_a_committed_one_is_written_with_it()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var (first, second) = ChainedPair(harness);

        Task<CommitResult> a, b;
        await using (var held = await HeldWriter.Hold(harness, store))
        {
            a = store.Commit(first, Cancel);
            b = store.CommitAfter(second, a, Cancel);
        }

        Assert.Equal(new CommitResult.Committed(1), await a);
        Assert.Equal(new CommitResult.Committed(2), await b);
        Assert.Equal(2, store.Writer.Groups);
        Assert.Equal(2, (await store.LoadProject(TestCatalog.Hub, Cancel))!.State.Reached.Count);
    }

    [Fact]
    public async Task A_commit_chained_to_a_refused_one_is_not_written_even_when_its_version_matches()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var recorded = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 1);
        await Apply(harness, store, recorded);
        var other = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Completed, 9);
        var chained = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 5);
        var atVersion1 = (await store.LoadProject(TestCatalog.Hub, Cancel))!.State;

        Task<CommitResult> refused, elsewhere, successor;
        await using (var held = await HeldWriter.Hold(harness, store))
        {
            // This replica re-applies an event already recorded (refused), and computes the next commit on top of it,
            // expecting version 2. Meanwhile another writer takes the project from 1 to 2 with another state.
            refused = store.Commit(Commit(harness, recorded, 1, atVersion1), Cancel);
            elsewhere = store.Commit(Commit(harness, other, 1, atVersion1.Apply(TestCatalog.Plan, other).State), Cancel);
            successor = store.CommitAfter(Commit(harness, chained, 2, atVersion1.Apply(TestCatalog.Plan, chained).State), refused, Cancel);
        }

        Assert.IsType<CommitResult.EventExists>(await refused);
        Assert.Equal(new CommitResult.Committed(2), await elsewhere);
        Assert.Equal(new CommitResult.VersionConflict(), await successor);   // the version matches, but its base was never written
        var snapshot = await store.LoadProject(TestCatalog.Hub, Cancel);
        Assert.Contains(MilestoneVocabulary.Completed, snapshot!.State.Reached.Keys);
        Assert.DoesNotContain(await store.GetTimeline(TestCatalog.Hub, 10, Cancel), r => r.EventId == chained.EventId);
    }

    [Fact]
    public async Task A_commit_chained_to_one_that_failed_in_an_earlier_group_is_not_written()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var first = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);
        var other = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.Completed, 9);
        var second = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 50);
        store.AfterStep = step =>
        {
            if (step == CommitStep.GroupWritten)
            {
                throw new InjectedCrash();
            }
        };
        var failed = store.Commit(First(harness, first), Cancel);
        await Assert.ThrowsAsync<InjectedCrash>(() => failed);
        store.AfterStep = null;
        // Another writer creates the project meanwhile: version 1, the one the successor expects.
        Assert.Equal(new CommitResult.Committed(1), await store.Commit(First(harness, other), Cancel));

        var successor = await store.CommitAfter(Commit(harness, second, 1, Applied(first).Apply(TestCatalog.Plan, second).State), failed, Cancel);

        Assert.Equal(new CommitResult.VersionConflict(), successor);
        Assert.Equal([other.EventId], (await store.GetTimeline(TestCatalog.Hub, 10, Cancel)).Select(r => r.EventId));
    }

    [Fact]
    public async Task A_predecessor_that_is_not_a_commit_of_this_store_is_refused_loudly()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var (first, second) = ChainedPair(harness);

        Task<CommitResult> a, wrapper, b;
        await using (var held = await HeldWriter.Hold(harness, store))
        {
            a = store.Commit(first, Cancel);
            // What a decorator that awaits the store's task returns: another task, pending while the group is written.
            wrapper = Wrap(a);
            b = store.CommitAfter(second, wrapper, Cancel);
        }

        Assert.Equal(new CommitResult.Committed(1), await a);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => b);
        Assert.Contains("not a commit of this store", refused.Message, StringComparison.Ordinal);
        Assert.Single((await store.LoadProject(TestCatalog.Hub, Cancel))!.State.Reached);

        static async Task<CommitResult> Wrap(Task<CommitResult> inner) => await inner;
    }

    [Fact]
    public async Task A_commit_chained_to_one_whose_caller_gave_up_is_a_conflict()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var (first, second) = ChainedPair(harness);
        using var giveUp = new CancellationTokenSource();

        Task<CommitResult> a, b;
        await using (var held = await HeldWriter.Hold(harness, store))
        {
            a = store.Commit(first, giveUp.Token);
            b = store.CommitAfter(second, a, Cancel);
            await giveUp.CancelAsync();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a);
        Assert.Equal(new CommitResult.VersionConflict(), await b);
        Assert.Null(await store.LoadProject(TestCatalog.Hub, Cancel));
    }

    [Fact]
    public async Task A_commit_whose_caller_gave_up_while_it_waited_is_not_written()
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var e = TestEvents.Reached(TestCatalog.Park, MilestoneVocabulary.ConstructionStarted, 2);
        using var giveUp = new CancellationTokenSource();

        Task<CommitResult> commit;
        await using (var held = await HeldWriter.Hold(harness, store))
        {
            commit = store.Commit(First(harness, e), giveUp.Token);
            await giveUp.CancelAsync();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => commit);
        Assert.Null(await store.LoadProject(TestCatalog.Park, Cancel));
    }

    static ProjectState Applied(MilestoneEvent e) => ProjectState.Empty(e.ProjectId).Apply(TestCatalog.Plan, e).State;

    static ProjectCommit First(StoreHarness harness, MilestoneEvent e) => Commit(harness, e, 0, Applied(e));

    /// <summary>Two commits of the hub: the first creates it, the second is computed on top of it (version 1 → 2).</summary>
    static (ProjectCommit First, ProjectCommit Second) ChainedPair(StoreHarness harness)
    {
        var first = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ConstructionStarted, 5);
        var second = TestEvents.Reached(TestCatalog.Hub, MilestoneVocabulary.ToppedOut, 50);
        var afterFirst = Applied(first);
        return (Commit(harness, first, 0, afterFirst), Commit(harness, second, 1, afterFirst.Apply(TestCatalog.Plan, second).State));
    }

    /// <summary>Load and apply now, commit (queued, not awaited), as the recorder does.</summary>
    static async Task<Task<CommitResult>> Prepare(StoreHarness harness, SqliteMilestoneStore store, MilestoneEvent e)
    {
        var snapshot = await store.LoadProject(e.ProjectId, Cancel);
        var outcome = (snapshot?.State ?? ProjectState.Empty(e.ProjectId)).Apply(TestCatalog.Plan, e);
        var now = harness.Time.GetUtcNow();
        var commit = new ProjectCommit(EventRecord.From(e, now), snapshot?.Version ?? 0, outcome.State,
            outcome.Completion is { } completion ? [OutboxEntry.For(completion, now)] : []);
        return store.Commit(commit, Cancel);
    }

    /// <summary>
    /// Holds the writer inside a first group (a commit of its own project) until disposed, so that everything
    /// queued meanwhile goes into the next group; can also make that next group crash.
    /// </summary>
    internal sealed class HeldWriter : IAsyncDisposable
    {
        readonly SemaphoreSlim entered = new(0);
        readonly SemaphoreSlim release = new(0);
        Task<CommitResult>? blocker;
        Func<CommitStep, bool>? crash;
        int groups;

        public static async Task<HeldWriter> Hold(StoreHarness harness, SqliteMilestoneStore store)
        {
            var held = new HeldWriter();
            store.AfterStep = step =>
            {
                if (step == CommitStep.GroupWritten && Interlocked.Increment(ref held.groups) == 1)
                {
                    held.entered.Release();
                    held.release.Wait(TimeSpan.FromSeconds(30));
                }
                else if (held.crash?.Invoke(step) == true)
                {
                    throw new InjectedCrash();
                }
            };
            var e = TestEvents.Reached("held-writer", MilestoneVocabulary.ConstructionStarted, 1);
            held.blocker = store.Commit(First(harness, e), Cancel);
            Assert.True(await held.entered.WaitAsync(TimeSpan.FromSeconds(30), Cancel), "the writer never reached the held group");
            return held;
        }

        /// <summary>The next group throws just before its COMMIT.</summary>
        public void ThenCrashBeforeCommit() => crash = step => step == CommitStep.GroupWritten;

        /// <summary>In the next group, the first commit to reach <paramref name="step"/> throws there.</summary>
        public void ThenCrashAtFirst(CommitStep step)
        {
            var done = false;
            crash = s => s == step && !done && (done = true);
        }

        public async ValueTask DisposeAsync()
        {
            release.Release();
            Assert.Equal(new CommitResult.Committed(1), await blocker!);
        }
    }
}
