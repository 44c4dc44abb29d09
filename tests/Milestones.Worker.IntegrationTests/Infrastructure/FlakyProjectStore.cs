using System.Collections.Concurrent;
using Milestones.Domain.Storage;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>
/// Wraps the real store and makes the commits of chosen events fail as an unreachable database would, a set number
/// of times (or always), then lets them through. Counts every commit attempt per event.
/// </summary>
public sealed class FlakyProjectStore(IProjectStore inner) : IProjectStore
{
    readonly ConcurrentDictionary<Guid, int> failuresLeft = new();
    readonly ConcurrentDictionary<Guid, int> attempts = new();
    readonly ConcurrentDictionary<string, int> versionConflicts = new();
    readonly ConcurrentDictionary<Guid, Func<Exception>> failures = new();

    /// <summary>Commits of a project that lost a version race: another writer changed the project in between.</summary>
    public int VersionConflicts(string projectId) => versionConflicts.GetValueOrDefault(projectId);

    /// <summary>The next <paramref name="times"/> commits of the event fail (<see cref="int.MaxValue"/>: all of them).</summary>
    public void FailCommits(Guid eventId, int times) => failuresLeft[eventId] = times;

    /// <summary>As <see cref="FailCommits(Guid, int)"/>, failing with the exception <paramref name="failure"/> makes.</summary>
    public void FailCommits(Guid eventId, int times, Func<Exception> failure)
    {
        failures[eventId] = failure;
        failuresLeft[eventId] = times;
    }

    public int Attempts(Guid eventId) => attempts.GetValueOrDefault(eventId);

    /// <summary>A batch holding a chosen event fails as a whole, as an unreachable database fails every write.</summary>
    public async Task<IReadOnlyList<CommitResult>> Commit(IReadOnlyList<ProjectCommit> commits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commits);
        foreach (var id in commits.SelectMany(c => c.Events).Select(e => e.EventId))
        {
            attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
            if (failuresLeft.TryGetValue(id, out var left) && left > 0)
            {
                failuresLeft[id] = left == int.MaxValue ? left : left - 1;
                throw failures.TryGetValue(id, out var failure)
                    ? failure()
                    : new IOException($"Injected store failure for event {id}: the database is unreachable");
            }
        }
        var results = await inner.Commit(commits, cancellationToken);
        for (var k = 0; k < commits.Count; k++)
        {
            if (results[k] is CommitResult.VersionConflict)
            {
                versionConflicts.AddOrUpdate(commits[k].ProjectId, 1, (_, n) => n + 1);
            }
        }
        return results;
    }

    public Task<IReadOnlyList<ProjectSnapshot>> LoadProjects(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken) =>
        inner.LoadProjects(projectIds, cancellationToken);

    public Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken) => inner.ListProjects(cancellationToken);

    public Task<TimelinePage> GetTimeline(string projectId, TimelineQuery query, CancellationToken cancellationToken) =>
        inner.GetTimeline(projectId, query, cancellationToken);
}
