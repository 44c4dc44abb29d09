using System.Diagnostics;
using RabbitMQ.Client;

namespace Milestones.Benchmarks.Worker;

/// <summary>
/// One worker under test with its own store (a file in a scratch directory, or, given a MongoDB server, a database of
/// its own there, dropped at the end): starts it, waits until it consumes, watches its progress in the store and its
/// memory, and stops it. Unless told otherwise, a queue of its own
/// (<see cref="SubscriberQueue"/>) is bound to the worker's output exchanges, as a subscriber is in production, so
/// that its completions are routed and its outbox drains; nothing consumes it, and it goes with <see cref="Entities"/>.
/// </summary>
public sealed class WorkerHarness : IAsyncDisposable
{
    readonly Broker broker;
    readonly IConnection admin;
    readonly string directory;
    readonly List<(long Events, long Rss)> memory = [];
    readonly bool subscriber;
    WorkerProcess? process;
    IStoreProbe? probe;
    int starts;

    /// <param name="subscriber">
    /// Bind <see cref="SubscriberQueue"/> to the worker's outputs; false when the caller binds a subscriber of its own
    /// (the latency run).
    /// </param>
    /// <param name="mongoDb">A MongoDB connection string: the worker runs on MongoDB, in a database of its own.</param>
    public WorkerHarness(Broker broker, IConnection admin, string scratch, string queueName, int prefetch, BenchmarkOptions options,
        string? catalogPath = null, bool subscriber = true, string? mongoDb = null, bool feed = true)
    {
        this.broker = broker;
        this.admin = admin;
        this.subscriber = subscriber;
        directory = Path.Combine(scratch, $"worker-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        Settings = new WorkerSettings(queueName, Path.Combine(directory, "milestones.db"), prefetch)
        {
            CatalogPath = catalogPath,
            Feed = feed,
            Extra = options.WorkerSettings,
            MongoDb = mongoDb is null ? null : new MongoDbDatabase(mongoDb, $"bench-milestones-{Guid.NewGuid():N}"),
        };
        // Before the worker starts, so that the database is dropped even if the worker fails after creating it.
        probe = Settings.MongoDb is { } mongo ? new MongoProbe(mongo.ConnectionString, mongo.DatabaseName) : null;
    }

    public WorkerSettings Settings { get; }
    public string Queue => Settings.QueueName;

    /// <summary>The queue bound to the worker's ProjectCompleted and ProjectReopened exchanges.</summary>
    public string SubscriberQueue => SubscriberQueueOf(Queue);

    /// <summary>Everything the worker's topology may create for its queue, and the subscriber queue, to delete before and after.</summary>
    public string[] Entities => EntitiesOf(Queue);

    public static string SubscriberQueueOf(string queue) => queue + ".completed";

    /// <summary>The worker's MilestoneRecorded feed queue (<c>Feeds:MilestoneRecordedQueue</c>), one per worker queue; nothing consumes it.</summary>
    public static string FeedQueueOf(string queue) => queue + ".feed";

    public static string[] EntitiesOf(string queue) =>
        [queue, queue + "_error", queue + "_skipped", queue + "_dlq", queue + "_quarantine", SubscriberQueueOf(queue), FeedQueueOf(queue)];

    /// <summary>Samples of (events recorded, RSS bytes), one per <see cref="Watch"/> tick.</summary>
    public IReadOnlyList<(long Events, long Rss)> Memory => memory;

    /// <summary>The worker's store, SQLite or MongoDB.</summary>
    public IStoreProbe Store => probe ?? throw new InvalidOperationException("the worker has not started");

    /// <summary>The worker's SQLite file (the latency and scaling runs read it directly).</summary>
    public StoreProbe Probe => Store as StoreProbe ?? throw new InvalidOperationException("the worker runs on MongoDB, not SQLite");

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
    /// Until <paramref name="until"/> completes: every 10 ms, reports the store's event count to <paramref name="seen"/>
    /// (exact from <paramref name="exactFrom"/> on, see <see cref="IStoreProbe.Count"/>); every 100 ms, samples the
    /// worker's RSS, and once more when <paramref name="until"/> completes, so that a short run still has a sample at its
    /// end. Fails when the worker exits.
    /// </summary>
    public async Task Watch(Task until, Action<long> seen, long exactFrom = 0)
    {
        ArgumentNullException.ThrowIfNull(until);
        ArgumentNullException.ThrowIfNull(seen);
        var lastSample = 0L;
        while (!until.IsCompleted)
        {
            var count = Store.Count(exactFrom);
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
            memory.Add((Store.Count(exactFrom), Process.Rss()));
        }
    }

    public string Diagnose() => process is null ? "worker not running" : $"worker log:\n{process.LogTail()}";

    public async ValueTask DisposeAsync()
    {
        // Twice is fine (some callers dispose explicitly inside an `await using`).
        var store = probe;
        probe = null;
        try
        {
            await Stop();
            if (store is MongoProbe mongo)
            {
                mongo.DropDatabase();
            }
        }
        finally
        {
            store?.Dispose();
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
}
