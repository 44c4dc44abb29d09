using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.CrashAndRestart;

/// <summary>
/// A message that kills the process on every delivery (here: the test-only Testing:CrashOnNote switch
/// makes the worker call Environment.FailFast on it) is dead-lettered after a bounded number of deliveries, while
/// every other message, including those fetched alongside it, is applied. The test restarts the worker each time it
/// dies, as Kubernetes would. Guards the quorum queue's x-delivery-limit with its dead-letter exchange (without
/// them the worker crash-loops forever) and the quarantine of redelivered messages (without it the innocent
/// messages prefetched with the poison use up their delivery limit too and are dead-lettered with it).
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Poison_message(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    const string Poison = "this note kills the worker";
    const int DeliveryLimit = 2;

    static readonly Dictionary<string, string> Settings = new()
    {
        // The switch is refused in Production; everything else is the production configuration.
        ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        ["DOTNET_ENVIRONMENT"] = "Testing",
        ["Testing__CrashOnNote"] = Poison,
        ["Messaging__DeliveryLimit"] = DeliveryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Poison_is_dead_lettered_and_the_other_messages_are_applied()
    {
        await Connect();
        var good = Events.Stream(200);
        var poison = Events.Valid(note: Poison);
        var worker = StartWorker("worker 1", Settings);
        await worker.WaitUntilReady();

        await Publish(good.Take(20));
        await Client.PublishJson(Queues.InputExchange, poison, poison.EventId.ToString());
        await Publish(good.Skip(20));

        var crashes = 0;
        IReadOnlyList<ReceivedMessage> dead = [];
        await Poll.Until(async () =>
        {
            if (worker.HasExited)
            {
                crashes++;
                Mark($"worker crashed (exit code {worker.ExitCode}); restarting");
                Assert.True(crashes <= 1 + DeliveryLimit + 1, $"{crashes} crashes: the poison message is not being dead-lettered");
                worker = StartWorker($"worker {crashes + 1}", Settings);
            }
            dead = await Client.Drain(Queues.DeadLetter);
            return dead.Count > 0 && Store.CountEvents(good.Select(e => e.EventId)) == good.Count;
        }, TimeSpan.FromSeconds(120), () => $"{crashes} crashes, {dead.Count} dead-lettered, {Store.CountEvents()} of {good.Count} good events recorded");
        Mark($"{crashes} crashes; poison dead-lettered");

        var deadLettered = Assert.Single(dead);
        Assert.Equal(Poison, Note(deadLettered));
        Assert.Equal("delivery_limit", DeathReason(deadLettered));
        Assert.InRange(crashes, 2, 1 + DeliveryLimit + 1);
        Assert.False(Store.HasEvent(poison.EventId));
        await worker.WaitUntilReady();
        Assert.Empty(await Client.Drain(Queues.Error));
    }
}
