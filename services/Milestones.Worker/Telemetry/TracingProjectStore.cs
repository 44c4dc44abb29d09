using System.Diagnostics;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Telemetry;

/// <summary>
/// Puts a span around every call to the project store, whichever store it is, and stamps the outbox entries of a
/// commit with the current <c>traceparent</c> so that their later publish continues the same trace.
/// <see cref="Create"/> keeps a store's ability to chain commits (<see cref="IPipelinedProjectStore"/>) visible.
/// </summary>
public class TracingProjectStore(IProjectStore inner) : IProjectStore
{
    public const string LoadSpan = "store load";
    public const string CommitSpan = "store commit";
    public const string ListSpan = "store list";
    public const string TimelineSpan = "store timeline";
    public const string CommitResultTag = "milestones.commit.result";

    /// <summary>The store that does the work.</summary>
    public IProjectStore Inner => inner;

    /// <summary>The decorator for this store: one that chains commits too when the store does.</summary>
    public static TracingProjectStore Create(IProjectStore inner) =>
        inner is IPipelinedProjectStore pipelined ? new TracingPipelinedProjectStore(pipelined) : new TracingProjectStore(inner);

    public async Task<ProjectSnapshot?> LoadProject(string projectId, CancellationToken cancellationToken)
    {
        using var activity = StoreTracing.StartChild(LoadSpan)?.SetTag(MilestonesTracing.ProjectIdTag, MilestonesTelemetry.Clip(projectId));
        return await StoreTracing.Run(activity, () => inner.LoadProject(projectId, cancellationToken)).ConfigureAwait(false);
    }

    public Task<CommitResult> Commit(ProjectCommit commit, CancellationToken cancellationToken) =>
        Traced(commit, stamped => inner.Commit(stamped, cancellationToken));

    /// <summary>
    /// A commit span around <paramref name="write"/>, given the commit with its outbox entries stamped. Returns the
    /// store's own task, not a wrapper: a pipelined store recognises a predecessor by the task it returned for it
    /// (<see cref="IPipelinedProjectStore.CommitAfter"/>), so a wrapper passed back as a predecessor would be a commit it
    /// never saw. The span ends when that task does.
    /// </summary>
    protected static Task<CommitResult> Traced(ProjectCommit commit, Func<ProjectCommit, Task<CommitResult>> write)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentNullException.ThrowIfNull(write);
        // The entries' parent is the span that recorded the event (current here), not this store span.
        var traceParent = MilestonesTracing.CurrentTraceParent();
        if (traceParent is not null && commit.Outbox.Any(entry => entry.TraceParent is null))
        {
            commit = commit with { Outbox = [.. commit.Outbox.Select(entry => entry with { TraceParent = entry.TraceParent ?? traceParent })] };
        }
        var caller = Activity.Current;
        var activity = StoreTracing.StartChild(CommitSpan)?.SetTag(MilestonesTracing.ProjectIdTag, MilestonesTelemetry.Clip(commit.Event.ProjectId));
        Task<CommitResult> written;
        try
        {
            written = write(commit);
        }
        catch (Exception ex)
        {
            activity.RecordFailure(ex);
            activity?.Dispose();
            throw;
        }
        finally
        {
            // Not awaited here, so the span must stop being current by hand: the caller's next span is not its child.
            if (activity is not null)
            {
                Activity.Current = caller;
            }
        }
        if (activity is not null)
        {
            written.ContinueWith(static (task, state) => EndCommitSpan((Activity)state!, task), activity,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return written;
    }

    static void EndCommitSpan(Activity activity, Task<CommitResult> written)
    {
        if (written.IsCompletedSuccessfully)
        {
            activity.SetTag(CommitResultTag, written.Result switch
            {
                CommitResult.Committed => "committed",
                CommitResult.VersionConflict => "version_conflict",
                _ => "event_exists",
            });
        }
        else
        {
            activity.RecordFailure(written.Exception?.GetBaseException() ?? new OperationCanceledException("the commit was canceled"));
        }
        activity.Dispose();
    }

    public async Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken)
    {
        using var activity = StoreTracing.StartChild(ListSpan);
        return await StoreTracing.Run(activity, () => inner.ListProjects(cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<EventRecord>> GetTimeline(string projectId, int limit, CancellationToken cancellationToken)
    {
        using var activity = StoreTracing.StartChild(TimelineSpan)?.SetTag(MilestonesTracing.ProjectIdTag, MilestonesTelemetry.Clip(projectId));
        return await StoreTracing.Run(activity, () => inner.GetTimeline(projectId, limit, cancellationToken)).ConfigureAwait(false);
    }
}

/// <summary>The tracing decorator of a store that chains commits: chained commits get their span too.</summary>
public sealed class TracingPipelinedProjectStore(IPipelinedProjectStore inner) : TracingProjectStore(inner), IPipelinedProjectStore
{
    public Task<CommitResult> CommitAfter(ProjectCommit commit, Task<CommitResult> predecessor, CancellationToken cancellationToken) =>
        Traced(commit, stamped => inner.CommitAfter(stamped, predecessor, cancellationToken));
}
