using System.Collections.Concurrent;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>
/// Wraps the real store and makes the commit of chosen events fail as an unreachable database would, a set number
/// of times (or always), then lets them through. Counts every commit attempt per event.
/// </summary>
public sealed class FlakyProjectStore(IProjectStore inner) : IProjectStore
{
    readonly ConcurrentDictionary<Guid, int> failuresLeft = new();
    readonly ConcurrentDictionary<Guid, int> attempts = new();

    /// <summary>The next <paramref name="times"/> commits of the event fail (<see cref="int.MaxValue"/>: all of them).</summary>
    public void FailCommits(Guid eventId, int times) => failuresLeft[eventId] = times;

    public int Attempts(Guid eventId) => attempts.GetValueOrDefault(eventId);

    public Task<CommitResult> Commit(ProjectCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var id = commit.Event.EventId;
        attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
        if (failuresLeft.TryGetValue(id, out var left) && left > 0)
        {
            failuresLeft[id] = left == int.MaxValue ? left : left - 1;
            throw new IOException($"Injected store failure for event {id}: the database is unreachable");
        }
        return inner.Commit(commit, cancellationToken);
    }

    public Task<ProjectSnapshot?> LoadProject(string projectId, CancellationToken cancellationToken) => inner.LoadProject(projectId, cancellationToken);

    public Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken) => inner.ListProjects(cancellationToken);

    public Task<IReadOnlyList<EventRecord>> GetTimeline(string projectId, int limit, CancellationToken cancellationToken) =>
        inner.GetTimeline(projectId, limit, cancellationToken);
}
