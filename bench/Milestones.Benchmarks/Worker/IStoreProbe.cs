namespace Milestones.Benchmarks.Worker;

/// <summary>The worker's store read from outside, whichever store it runs on: its progress and its outbox.</summary>
public interface IStoreProbe : IDisposable
{
    /// <summary>
    /// Events recorded so far, cheap enough to poll every 10 ms during a drain. It may run ahead of
    /// <see cref="CountRecorded"/> by a batch still being written, but is exact from <paramref name="exactFrom"/> on
    /// (the drain's total), so a drain ends only when every event is recorded.
    /// </summary>
    long Count(long exactFrom);

    /// <summary>Events recorded, exactly (the check after a run).</summary>
    long CountRecorded();

    /// <summary>Completions and reopenings committed and not yet published.</summary>
    long PendingOutbox();
}
