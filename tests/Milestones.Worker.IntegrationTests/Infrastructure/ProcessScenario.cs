using System.Text;
using System.Text.Json;
using Milestones.Contracts;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>The worker processes of the crash and restart tests run one class at a time: they load both cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerProcesses
{
    public const string Name = "worker processes";
}

/// <summary>
/// A crash or restart scenario: its own virtual host and SQLite file, a plain AMQP client that publishes and
/// subscribes to <c>milestones.project-completed</c>, and the worker processes it started (killed at the end,
/// their output written to the test output).
/// </summary>
public abstract class ProcessScenario(TestVirtualHost vhost) : IAsyncLifetime
{
    public const string CompletedQueue = "it-project-completed";

    readonly List<WorkerProcess> workers = [];
    readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>A line in the test output, stamped with the time since the scenario started.</summary>
    protected void Mark(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0} s] {what}");
    readonly TempDirectory directory = Paths.NewTempDirectory();
    RabbitClient? client;

    protected TestVirtualHost VirtualHost => vhost;

    protected string StorePath => directory.File("milestones.db");

    protected StoreReader Store => new(StorePath);

    protected RabbitClient Client => client ?? throw new InvalidOperationException("Call Connect first");

    /// <summary>Requires the broker (skip or fail), connects, and subscribes a queue to the completions.</summary>
    protected async Task Connect()
    {
        BrokerEnvironment.RequireControl();
        client = await RabbitClient.Connect(vhost);
        await client.Subscribe(WireNames.ProjectCompletedExchange, CompletedQueue);
    }

    protected WorkerProcess StartWorker(string name, IDictionary<string, string>? settings = null, bool useVirtualHost = true)
    {
        var all = WorkerProcess.Defaults(StorePath);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }
        Mark($"starting {name}");
        var worker = WorkerProcess.Start(name, all, useVirtualHost ? vhost : null);
        workers.Add(worker);
        return worker;
    }

    /// <summary>Publishes with up to 200 confirms outstanding: fast enough that the worker is still busy when it is done.</summary>
    protected Task Publish(IEnumerable<MilestoneReached> events) =>
        Publish(WireNames.MilestoneReachedExchange, events, e => e.EventId, "events");

    /// <summary>Publishes to <paramref name="exchange"/>, each message with its event id as message id, up to 200 confirms outstanding.</summary>
    protected async Task Publish<T>(string exchange, IEnumerable<T> messages, Func<T, Guid> eventId, string what)
    {
        var list = messages.ToList();
        foreach (var chunk in list.Chunk(200))
        {
            await Task.WhenAll(chunk.Select(m => Client.PublishJson(exchange, m, eventId(m).ToString())));
        }
        Mark($"published {list.Count} {what}");
    }

    protected Task WaitForEvents(long count, TimeSpan timeout) =>
        Poll.Until(() => Store.CountEvents() >= count, timeout, () => $"{Store.CountEvents()} of {count} events recorded");

    /// <summary>Every ProjectCompleted taken from the subscriber queue so far, grouped by AMQP message id.</summary>
    protected async Task<IReadOnlyDictionary<string, int>> Completions()
    {
        var messages = await Client.Drain(CompletedQueue);
        return messages.GroupBy(m => m.Properties.MessageId ?? "(none)").ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>
    /// The end state every scenario must reach: every event recorded once, every project of the stream complete
    /// exactly once, one ProjectCompleted message id per completion, outbox empty, no message left in the queues.
    /// </summary>
    protected async Task AssertEverythingAppliedOnce(IReadOnlyList<MilestoneReached> events, TimeSpan timeout)
    {
        var projects = events.Select(e => e.ProjectId).Distinct().ToList();
        Mark("waiting for every event to be applied");
        await Poll.Until(() => Store.CountEvents() == events.Count && Store.PendingOutbox() == 0, timeout,
            () => $"{Store.CountEvents()} of {events.Count} events recorded, {Store.PendingOutbox()} completions pending");
        Assert.Equal(events.Count, Store.CountEvents(events.Select(e => e.EventId)));
        Mark("every event applied");

        var states = Store.Projects();
        Assert.All(projects, id => Assert.Equal((true, 1), (states[id].IsComplete, states[id].CompletionCount)));

        IReadOnlyDictionary<string, int> completions = new Dictionary<string, int>();
        await Poll.Until(async () => (completions = await Completions()).Count >= projects.Count, TimeSpan.FromSeconds(20),
            () => $"{completions.Count} distinct ProjectCompleted message ids for {projects.Count} completions");
        var duplicates = completions.Values.Sum() - completions.Count;
        TestContext.Current.TestOutputHelper?.WriteLine($"ProjectCompleted: {completions.Count} message ids, {completions.Values.Sum()} messages ({duplicates} repeated publishes of the same id)");
        Assert.Equal(projects.Count, completions.Count);
        Assert.Equal(projects.Count, Store.CompletionEntries());
        // The feed: one entry per recorded event, each written with its event in one commit, whatever the crash did.
        Assert.Equal(events.Count, Store.FeedEntries());

        Mark("completions counted");
        IReadOnlyDictionary<string, (long Ready, long Unacked)> counts = new Dictionary<string, (long, long)>();
        await Poll.Until(async () => (counts = await vhost.AllQueueCounts()).GetValueOrDefault(Queues.Input) == (0, 0) && counts.GetValueOrDefault(Queues.Quarantine) == (0, 0),
            TimeSpan.FromSeconds(20), () => $"messages left (ready, unacknowledged): {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
        Assert.Empty(await Client.Drain(Queues.Error));
        Assert.Empty(await Client.Drain(Queues.DeadLetter));
        Mark("queues empty");
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in workers)
        {
            worker.Report();
            await worker.DisposeAsync();
        }
        if (client is not null)
        {
            await client.DisposeAsync();
        }
        directory.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static string Note(ReceivedMessage message)
    {
        var body = message.JsonBody;
        return (body.TryGetProperty("message", out var inner) ? inner : body).GetProperty("note").GetString() ?? string.Empty;
    }

    protected static string? DeathReason(ReceivedMessage message) =>
        message.Properties.Headers?.TryGetValue("x-death", out var deaths) == true && deaths is IList<object> list && list.FirstOrDefault() is IDictionary<string, object?> first
            && first.TryGetValue("reason", out var reason)
            ? reason is byte[] bytes ? Encoding.UTF8.GetString(bytes) : reason?.ToString()
            : null;

    protected static JsonSerializerOptions Json => RabbitClient.Json;
}
