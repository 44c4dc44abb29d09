using Milestones.Benchmarks.Worker;
using RabbitMQ.Client;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// The real worker (its own process, production configuration, SQLite store with synchronous=FULL, outbox on), draining
/// the backlog. A message counts as done when its event is committed in the store, read from outside.
/// </summary>
public sealed class MilestonesScenario(Broker broker, IConnection admin, string scratch, BenchmarkOptions options) : IDrainScenario
{
    WorkerHarness? harness;
    Task? watch;

    public string Name => "Milestones";
    public string Queue => "bench.milestones";
    public string[] Entities => [Queue, Queue + "_error", Queue + "_skipped", Queue + "_dlq", Queue + "_quarantine"];

    public WorkerHarness Harness => harness ?? throw new InvalidOperationException("not prepared");

    public async Task Prepare(QueueType type, int prefetch)
    {
        // The worker declares its own topology (queue type and arguments included): start it once on the empty
        // queue, stop it, and the queue is there to be filled.
        harness = new WorkerHarness(broker, admin, scratch, Queue, prefetch, options);
        await harness.Start();
        await harness.Stop();
    }

    public async Task Start(DrainClock clock, int prefetch)
    {
        ArgumentNullException.ThrowIfNull(clock);
        await Harness.Start();
        watch = Harness.Watch(clock.Completion, clock.Observe);
        // The worker died: end the drain's wait with the reason rather than wait for the stall timeout.
        _ = watch.ContinueWith(t => clock.Fail(t.Exception!.GetBaseException()), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public TimeSpan ConsumerCpu() => Cpu.Of(Harness.Process.Id);

    public string Diagnose() => watch is { IsFaulted: true } ? watch.Exception!.GetBaseException().Message : Harness.Diagnose();

    public async Task<string?> Verify(long expected)
    {
        if (watch is not null)
        {
            await watch;
        }
        var stored = Harness.Probe.CountExactly("events");
        if (stored != expected)
        {
            return $"the worker's store holds {stored} events, expected {expected}";
        }
        var error = await Broker.Inspect(admin, Queue + "_error");
        return error is { MessageCount: > 0 } ? $"{error.MessageCount} messages went to {Queue}_error" : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (harness is not null)
        {
            await harness.DisposeAsync();
        }
    }
}
