using Milestones.Domain.Storage;

namespace Milestones.Worker.Telemetry;

/// <summary>Puts a span around every call to the project store, whichever store it is.</summary>
public sealed class TracingProjectStore(IProjectStore inner) : IProjectStore
{
    public const string LoadSpan = "store load";
    public const string CommitSpan = "store commit";
    public const string ListSpan = "store list";
    public const string TimelineSpan = "store timeline";
    public const string CommitResultTag = "milestones.commit.result";
    public const string CommitProjectsTag = "milestones.commit.projects";
    public const string CommitEventsTag = "milestones.commit.events";

    /// <summary>The store that does the work.</summary>
    public IProjectStore Inner => inner;

    public async Task<IReadOnlyList<ProjectSnapshot>> LoadProjects(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(projectIds);
        using var activity = StoreTracing.StartChild(LoadSpan)?.SetTag(CommitProjectsTag, projectIds.Count);
        return await StoreTracing.Run(activity, () => inner.LoadProjects(projectIds, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>One span per batch: how many projects and events it wrote, and the results by kind (<c>committed=3 version_conflict=1</c>).</summary>
    public async Task<IReadOnlyList<CommitResult>> Commit(IReadOnlyList<ProjectCommit> commits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commits);
        using var activity = StoreTracing.StartChild(CommitSpan)?
            .SetTag(CommitProjectsTag, commits.Count)
            .SetTag(CommitEventsTag, commits.Sum(c => c.Events.Count));
        var results = await StoreTracing.Run(activity, () => inner.Commit(commits, cancellationToken)).ConfigureAwait(false);
        activity?.SetTag(CommitResultTag, string.Join(' ', results
            .GroupBy(result => result switch
            {
                CommitResult.Committed => "committed",
                CommitResult.VersionConflict => "version_conflict",
                _ => "events_exist",
            })
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}={g.Count()}")));
        return results;
    }

    public async Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken)
    {
        using var activity = StoreTracing.StartChild(ListSpan);
        return await StoreTracing.Run(activity, () => inner.ListProjects(cancellationToken)).ConfigureAwait(false);
    }

    public async Task<TimelinePage> GetTimeline(string projectId, TimelineQuery query, CancellationToken cancellationToken)
    {
        using var activity = StoreTracing.StartChild(TimelineSpan)?.SetTag(MilestonesTracing.ProjectIdTag, MilestonesTelemetry.Clip(projectId));
        return await StoreTracing.Run(activity, () => inner.GetTimeline(projectId, query, cancellationToken)).ConfigureAwait(false);
    }
}
