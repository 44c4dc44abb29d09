using System.Diagnostics;
using RabbitMQ.Client;

namespace Milestones.Benchmarks.Worker;

/// <summary>
/// One worker under test with its own store file in a scratch directory: starts it, waits until it consumes, watches
/// its progress in the store and its memory, and stops it. Unless told otherwise, a queue of its own
/// (<see cref="SubscriberQueue"/>) is bound to the worker's output exchanges, as a subscriber is in production, so
/// that its completions are routed and its outbox drains; nothing consumes it, and it goes with <see cref="Entities"/>.
/// </summary>
public sealed class WorkerHarness : IAsyncDisposable
{
    readonly Broker broker;
    readonly IConnection admin;
    readonly string directory;
    readonly List<(long Events, long Rss)> memory = [];
    WorkerProcess? process;
    StoreProbe? probe;
    readonly bool subscriber;
    int starts;

    /// <param name="subscriber">
    /// Bind <see cref="SubscriberQueue"/> to the worker's outputs; false when the caller binds a subscriber of its own
    /// (the latency run).
    /// </param>
    public WorkerHarness(Broker broker, IConnection admin, string scratch, string queueName, int prefetch, BenchmarkOptions options, string? catalogPath = null, bool subscriber = true)
    {
        this.broker = broker;
        this.admin = admin;
        this.subscriber = subscriber;
        directory = Path.Combine(scratch, $"worker-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        Settings = new WorkerSettings(queueName, Path.Combine(directory, "milestones.db"), prefetch)
        {
            CatalogPath = catalogPath,
            Extra = options.WorkerSettings,
        };
    }

    public WorkerSettings Settings { get; }
    public string Queue => Settings.QueueName;

    /// <summary>The queue bound to the worker's ProjectCompleted and ProjectReopened exchanges.</summary>
    public string SubscriberQueue => SubscriberQueueOf(Queue);

    /// <summary>Everything the worker's topology may create for its queue, and the subscriber queue, to delete before and after.</summary>
    public string[] Entities => EntitiesOf(Queue);

    public static string SubscriberQueueOf(string queue) => queue + ".completed";

    public static string[] EntitiesOf(string queue) =>
        [queue, queue + "_error", queue + "_skipped", queue + "_dlq", queue + "_quarantine", SubscriberQueueOf(queue)];

    /// <summary>Samples of (events recorded, RSS bytes), one per <see cref="Watch"/> tick.</summary>
    public IReadOnlyList<(long Events, long Rss)> Memory => memory;

    public StoreProbe Probe => probe ?? throw new InvalidOperationException("the worker has not started");

    public WorkerProcess Process => process ?? throw new InvalidOperationException("the worker has not started");

    /// <summary>Starts the worker and returns once it consumes its queue (its topology is declared by then).</summary>
    public async Task Start()
    {
        if (subscriber)
        {
            await using var channel = await admin.CreateChannelAsync();
            await Broker.DeclareQueue(channel, SubscriberQueue, QueueType.Classic);
            await Broker.BindToWorkerOutputs(channel, SubscriberQueue);
        }
        starts++;
        process = WorkerProcess.Start(broker, Settings, Path.Combine(directory, $"worker-{starts}.log"));
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the worker exited at start:\n{process.LogTail()}");
            }
            if (await Broker.Inspect(admin, Queue) is { ConsumerCount: > 0 })
            {
                break;
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException($"the worker did not consume {Queue} within 120 s:\n{process.LogTail()}");
            }
            await Task.Delay(100);
        }
        probe ??= new StoreProbe(Settings.DatabasePath);
    }

    public async Task Stop()
    {
        if (process is not null)
        {
            await process.DisposeAsync();
            process = null;
        }
    }

    /// <summary>
    /// Until <paramref name="until"/> completes: every 10 ms, reports the store's event count to <paramref name="seen"/>;
    /// every 100 ms, samples the worker's RSS, and once more when <paramref name="until"/> completes, so that a short run
    /// still has a sample at its end. Fails when the worker exits.
    /// </summary>
    public async Task Watch(Task until, Action<long> seen)
    {
        ArgumentNullException.ThrowIfNull(until);
        ArgumentNullException.ThrowIfNull(seen);
        var lastSample = 0L;
        while (!until.IsCompleted)
        {
            var count = Probe.Count();
            seen(count);
            if (Stopwatch.GetElapsedTime(lastSample) > TimeSpan.FromMilliseconds(100))
            {
                lastSample = Stopwatch.GetTimestamp();
                memory.Add((count, Process.Rss()));
            }
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"the worker exited:\n{Process.LogTail()}");
            }
            await Task.WhenAny(until, Task.Delay(10));
        }
        if (!Process.HasExited)
        {
            memory.Add((Probe.Count(), Process.Rss()));
        }
    }

    public string Diagnose() => process is null ? "worker not running" : $"worker log:\n{process.LogTail()}";

    public async ValueTask DisposeAsync()
    {
        await Stop();
        probe?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
