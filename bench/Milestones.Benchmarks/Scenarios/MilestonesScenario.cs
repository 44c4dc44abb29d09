using Milestones.Benchmarks.Worker;
using RabbitMQ.Client;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// The real worker (its own process, production configuration, SQLite store with synchronous=FULL, outbox on), draining
/// the backlog. A message counts as done when its event is committed in the store, read from outside. Given a MongoDB
/// connection string (<paramref name="mongoDb"/>), the same on the MongoDB store, in a database of its own per drain.
/// With <paramref name="feed"/> false, the SQLite worker with its MilestoneRecorded feed off (<c>Feeds:MilestoneRecorded=false</c>):
/// beside the default (on), it gives the feed's cost.
/// </summary>
public sealed class MilestonesScenario(Broker broker, IConnection admin, string scratch, BenchmarkOptions options, string? mongoDb = null, bool feed = true)
    : IDrainScenario
{
    WorkerHarness? harness;
    Task? watch;

    public string Name => mongoDb is not null ? Report.MilestonesMongoDb : feed ? Report.Milestones : Report.MilestonesFeedOff;
    public string Queue => mongoDb is not null ? "bench.milestones-mongodb" : feed ? "bench.milestones" : "bench.milestones-feed-off";
    public string[] Entities => WorkerHarness.EntitiesOf(Queue);

    public WorkerHarness Harness => harness ?? throw new InvalidOperationException("not prepared");

    public async Task Prepare(QueueType type, int prefetch)
    {
        // The worker declares its own topology (queue type and arguments included): start it once on the empty
        // queue, stop it, and the queue is there to be filled.
        harness = new WorkerHarness(broker, admin, scratch, Queue, prefetch, options, mongoDb: mongoDb, feed: feed);
        await harness.Start();
        await harness.Stop();
    }

    public async Task Start(DrainClock clock, int prefetch)
    {
        ArgumentNullException.ThrowIfNull(clock);
        await Harness.Start();
        watch = Harness.Watch(clock.Completion, clock.Observe, exactFrom: clock.Total);
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
        var stored = Harness.Store.CountRecorded();
        if (stored != expected)
        {
            return $"the worker's store holds {stored} events, expected {expected}";
        }
        var error = await Broker.Inspect(admin, Queue + "_error");
        if (error is { MessageCount: > 0 })
        {
            return $"{error.MessageCount} messages went to {Queue}_error";
        }
        // A subscriber is bound (WorkerHarness.SubscriberQueue): every completion decided must leave the outbox, as
        // in production, rather than come back from the broker and be retried every lease.
        var pending = await PendingOutbox(TimeSpan.FromSeconds(30));
        return pending == 0 ? null : $"{pending} completions are still pending in the worker's outbox 30 s after the drain";
    }

    /// <summary>Entries not yet published, once none are left or after <paramref name="wait"/>.</summary>
    async Task<long> PendingOutbox(TimeSpan wait)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var pending = Harness.Store.PendingOutbox();
            if (pending == 0 || deadline.Elapsed > wait)
            {
                return pending;
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (harness is not null)
        {
            await harness.DisposeAsync();
        }
    }
}
