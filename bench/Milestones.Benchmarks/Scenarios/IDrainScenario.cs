namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// One consumer of a pre-filled queue. The driver (<see cref="DrainRunner"/>) deletes the queue, calls
/// <see cref="Prepare"/> (declare, on an empty queue), fills the queue, calls <see cref="Start"/> and times the drain.
/// </summary>
public interface IDrainScenario : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The queue the backlog is published to.</summary>
    string Queue { get; }

    /// <summary>Queues and exchanges to delete before and after (the consumer's own error queues, say).</summary>
    string[] Entities { get; }

    /// <summary>Declares the queue as the consumer wants it; it must exist, empty, when this returns, and nothing consumes it yet.</summary>
    Task Prepare(QueueType type, int prefetch);

    /// <summary>Starts consuming; every message done is reported to the clock.</summary>
    Task Start(DrainClock clock, int prefetch);

    /// <summary>CPU time so far of the process that consumes (this one, or the worker's).</summary>
    TimeSpan ConsumerCpu();

    /// <summary>Something to say when the drain stalls.</summary>
    string Diagnose();

    /// <summary>After the drain: null when the consumer's own record agrees with <paramref name="expected"/>, else what is wrong.</summary>
    Task<string?> Verify(long expected);
}
