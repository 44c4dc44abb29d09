using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.Tests.TestData;

namespace Milestones.Storage.Tests.Contract;

/// <summary>The steps the tests drive a store with, in the recorder's order but one attempt at a time.</summary>
public static class StoreSteps
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Load, apply, commit: one attempt of what the recorder does, with the harness's clock.</summary>
    public static async Task<(CommitResult Result, ProjectCommit Commit)> Apply(StoreHarness harness, IProjectStore store, MilestoneEvent e)
    {
        var snapshot = await store.LoadProject(e.ProjectId, Cancel);
        var outcome = (snapshot?.State ?? ProjectState.Empty(e.ProjectId)).Apply(TestCatalog.Plan, e);
        var now = harness.Time.GetUtcNow();
        var commit = ProjectCommit.Of(EventRecord.From(e, now), snapshot?.Version ?? 0, outcome.State,
            outcome.Completion is { } completion ? [OutboxEntry.For(completion, now)] : []);
        return (await store.Commit(commit, Cancel), commit);
    }

    public static ProjectCommit Commit(StoreHarness harness, MilestoneEvent e, long expectedVersion, ProjectState state) =>
        ProjectCommit.Of(EventRecord.From(e, harness.Time.GetUtcNow()), expectedVersion, state);

    /// <summary>Records the events that complete the project; returns the completion.</summary>
    public static async Task<ProjectCompletion> Complete(StoreHarness harness, IProjectStore store, string projectId)
    {
        ProjectCompletion? completion = null;
        foreach (var e in TestEvents.Completing(projectId))
        {
            var (result, commit) = await Apply(harness, store, e);
            Assert.IsType<CommitResult.Committed>(result);
            completion ??= commit.Outbox.SingleOrDefault()?.Message as ProjectCompletion;
        }
        return completion ?? throw new InvalidOperationException($"{projectId} did not complete.");
    }
}
