using Milestones.Domain.Storage;
using Milestones.Storage.Sqlite;
using Milestones.Storage.Tests.Contract;
using Milestones.Storage.Tests.TestData;
using static Milestones.Storage.Tests.Contract.StoreSteps;

namespace Milestones.Storage.Tests.Sqlite;

/// <summary>The embedded store killed in the middle of a commit, and closed and reopened: its one transaction keeps all or nothing.</summary>
public sealed class Crashing_the_SQLite_store
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    sealed class InjectedCrash : Exception;

    [Theory]
    [InlineData(nameof(CommitStep.EventWritten))]
    [InlineData(nameof(CommitStep.StateWritten))]
    [InlineData(nameof(CommitStep.OutboxWritten))]
    public async Task Crash_inside_a_commit_leaves_no_trace_and_the_retry_succeeds(string step)
    {
        await using var harness = new SqliteHarness();
        await using var open = harness.OpenSqlite(out var store);
        var events = TestEvents.Completing(TestCatalog.Hub);
        for (var i = 0; i < events.Count - 1; i++)
        {
            await Apply(harness, store, events[i]);
        }
        var before = await store.LoadProject(TestCatalog.Hub, Cancel);
        var crashAt = Enum.Parse<CommitStep>(step);
        store.AfterStep = s =>
        {
            if (s == crashAt)
            {
                throw new InjectedCrash();
            }
        };

        await Assert.ThrowsAsync<InjectedCrash>(() => Apply(harness, store, events[^1]));

        Assert.Equal(before, await store.LoadProject(TestCatalog.Hub, Cancel));
        Assert.Equal(new OutboxBacklog(0, null), await store.GetBacklog(Cancel));
        Assert.DoesNotContain(await store.GetTimeline(TestCatalog.Hub, 100, Cancel), r => r.EventId == events[^1].EventId);

        store.AfterStep = null;
        var retry = await Apply(harness, store, events[^1]);
        Assert.Equal(new CommitResult.Committed(before!.Version + 1), retry.Result);
        Assert.Equal(1, (await store.GetBacklog(Cancel)).Count);
    }

    [Fact]
    public async Task Reopened_file_has_everything_committed_before_it_was_closed()
    {
        await using var harness = new SqliteHarness();
        ProjectSnapshot? before;
        IReadOnlyList<EventRecord> timeline;
        await using (var first = harness.OpenSqlite(out var store))
        {
            foreach (var e in TestEvents.Completing(TestCatalog.Hub))
            {
                await Apply(harness, store, e);
            }
            before = await store.LoadProject(TestCatalog.Hub, Cancel);
            timeline = await store.GetTimeline(TestCatalog.Hub, 100, Cancel);
        }

        await using var second = harness.OpenSqlite(out var reopened);

        Assert.Equal(before, await reopened.LoadProject(TestCatalog.Hub, Cancel));
        Assert.Equal(timeline, await reopened.GetTimeline(TestCatalog.Hub, 100, Cancel));
        Assert.Equal(1, (await reopened.GetBacklog(Cancel)).Count);
    }
}
