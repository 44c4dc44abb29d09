namespace Milestones.Domain.Storage;

/// <summary>
/// An optional capability of an <see cref="IProjectStore"/> that writes the commits of one store instance strictly in
/// the order they were submitted (a single writer, as the SQLite store's group commit is). It lets a replica submit
/// the next commit of a project before the previous one is durable, computed on top of it, so that several events of
/// one project can share a transaction instead of waiting for each other's disk write.
/// <para>
/// The version check alone would not make that safe: if the predecessor failed, another replica could meanwhile have
/// written the very version the successor expects, with another state. So the successor is tied to its predecessor:
/// it is written only if the predecessor was committed (in an earlier transaction, or earlier in the same one).
/// </para>
/// </summary>
public interface IPipelinedProjectStore : IProjectStore
{
    /// <summary>
    /// Like <see cref="IProjectStore.Commit"/>, but written only if <paramref name="predecessor"/> (a commit submitted
    /// earlier to this same store instance) ends <see cref="CommitResult.Committed"/>; otherwise nothing is written and
    /// the result is <see cref="CommitResult.VersionConflict"/>, so the caller loads the project again and retries.
    /// </summary>
    Task<CommitResult> CommitAfter(ProjectCommit commit, Task<CommitResult> predecessor, CancellationToken cancellationToken);
}
