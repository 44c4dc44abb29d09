using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;

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
    /// Applies a change to the project's latest state and submits the commit; returns it unawaited, with the view it
    /// was computed in, or the change's refusal. <paramref name="failedInView"/>: the view in which this change's previous
    /// attempt failed, if any. <paramref name="exclusive"/>: the change reads more of the store than the project (a
    /// retraction reads the project's reports), so it waits until the previous commit is durable and never chains.
    /// </summary>
    public async Task<Submission> Submit(
        IProjectStore store, string projectId, ProjectChange change, bool exclusive, TimeProvider time, int? failedInView, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pipelined = exclusive ? null : store as IPipelinedProjectStore;
            if (headCommit is { IsCompleted: false } running && (pipelined is null || failedInView == view))
            {
                // A store that cannot chain commits (or a change that must read what they wrote): wait for the previous
                // one, as a partitioned consumer would. A retry of a commit that failed in this very view: every commit
                // chained after it fails too, so chaining onto them would only fail again; wait until they have, and
                // start from the store.
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
                head = await store.LoadProject(projectId, cancellationToken).ConfigureAwait(false)
                    ?? new ProjectSnapshot(ProjectState.Empty(projectId), 0);
                headCommit = null;
            }

            var now = time.GetUtcNow();
            var applied = await change(head.State, now, cancellationToken).ConfigureAwait(false);
            if (applied.Rejection is { } rejection)
            {
                return new Submission(null, null, rejection, view);
            }
            var outcome = applied.Outcome!;
            var outbox = outcome.Announcement is { } announcement ? [OutboxEntry.For(announcement, now)] : Array.Empty<OutboxEntry>();
            var commit = new ProjectCommit(applied.Record!, head.Version, outcome.State, outbox);
            var submitted = headCommit is { IsCompleted: false } predecessor && pipelined is not null
                ? pipelined.CommitAfter(commit, predecessor, cancellationToken)
                : store.Commit(commit, cancellationToken);
            head = new ProjectSnapshot(outcome.State, head.Version + 1);
            headCommit = submitted;
            return new Submission(submitted, outcome, null, view);
        }
        finally
        {
            gate.Release();
        }
    }

    static bool Committed(Task<CommitResult> commit) => commit.IsCompletedSuccessfully && commit.Result is CommitResult.Committed;
}

/// <summary>A change to a project, computed on its latest state: the outcome and the event record to store, or a refusal.</summary>
delegate ValueTask<AppliedChange> ProjectChange(ProjectState state, DateTimeOffset now, CancellationToken cancellationToken);

/// <summary>What a <see cref="ProjectChange"/> computed.</summary>
sealed record AppliedChange(MilestoneOutcome? Outcome, EventRecord? Record, Rejection? Rejection)
{
    public static AppliedChange Refused(Rejection rejection) => new(null, null, rejection);
}

/// <summary>A submitted commit (unawaited) with the outcome it will have, or the refusal that kept it from being submitted.</summary>
sealed record Submission(Task<CommitResult>? Commit, MilestoneOutcome? Outcome, Rejection? Rejection, int View);
