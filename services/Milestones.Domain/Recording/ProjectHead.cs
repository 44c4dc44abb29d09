using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Domain.Recording;

/// <summary>
/// A replica's view of one project: the state and version its last submitted commit produces, and that commit.
/// Events of the project are applied one after the other on top of it (a per-project lock held only while the
/// state is computed and the commit submitted, not while it is written), so a replica never races itself; the store's
/// version check still catches every other writer, and a failed commit sends the project back to the store.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "A SemaphoreSlim holds nothing to release unless its AvailableWaitHandle is used, which it is not here.")]
sealed class ProjectHead
{
    readonly SemaphoreSlim gate = new(1, 1);
    ProjectSnapshot? head;
    Task<CommitResult>? headCommit;

    // Which view of the project the head is: incremented whenever it is dropped and read again from the store.
    int view;

    /// <summary>
    /// Applies the event to the project's latest state and submits the commit; returns it unawaited, with the view it
    /// was computed in. <paramref name="failedInView"/>: the view in which this event's previous attempt failed, if any.
    /// </summary>
    public async Task<(Task<CommitResult> Commit, MilestoneOutcome Outcome, int View)> Submit(
        IProjectStore store, MilestonePlan plan, MilestoneEvent e, TimeProvider time, int? failedInView, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pipelined = store as IPipelinedProjectStore;
            if (headCommit is { IsCompleted: false } running && (pipelined is null || failedInView == view))
            {
                // A store that cannot chain commits: wait for the previous one, as a partitioned consumer would.
                // A retry of a commit that failed in this very view: every commit chained after it fails too, so chaining
                // onto them would only fail again; wait until they have, and start from the store.
                await ((Task)running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (headCommit is { IsCompleted: true } done && !Committed(done))
            {
                // The last commit failed (a conflict with another replica, a duplicate, an error): the view is stale.
                head = null;
                headCommit = null;
                view++;
            }
            if (head is null)
            {
                head = await store.LoadProject(e.ProjectId, cancellationToken).ConfigureAwait(false)
                    ?? new ProjectSnapshot(ProjectState.Empty(e.ProjectId), 0);
                headCommit = null;
            }

            var outcome = head.State.Apply(plan, e);
            var now = time.GetUtcNow();
            var outbox = outcome.Completion is { } completion ? [OutboxEntry.For(completion, now)] : Array.Empty<OutboxEntry>();
            var commit = new ProjectCommit(EventRecord.From(e, now), head.Version, outcome.State, outbox);
            var submitted = headCommit is { IsCompleted: false } predecessor && pipelined is not null
                ? pipelined.CommitAfter(commit, predecessor, cancellationToken)
                : store.Commit(commit, cancellationToken);
            head = new ProjectSnapshot(outcome.State, head.Version + 1);
            headCommit = submitted;
            return (submitted, outcome, view);
        }
        finally
        {
            gate.Release();
        }
    }

    static bool Committed(Task<CommitResult> commit) => commit.IsCompletedSuccessfully && commit.Result is CommitResult.Committed;
}
