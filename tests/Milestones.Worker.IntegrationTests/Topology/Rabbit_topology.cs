using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.Topology;

/// <summary>
/// The production topology on the broker, as the broker reports it: durable quorum queues with a delivery limit
/// and a dead-letter exchange, the dead-letter queue, the quarantine consumed with a prefetch of one, the input
/// queue with the configured prefetch, and the documented exchange bound to the input queue. Guards
/// RabbitMqTopology and the endpoint settings (SetQuorumQueue, x-delivery-limit, BindDeadLetterQueue, prefetch).
/// </summary>
public sealed class Rabbit_topology(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task Queues_exchanges_and_consumers_are_as_documented()
    {
        BrokerEnvironment.RequireControl();
        await fixture.Start();
        var vhost = fixture.VirtualHost.VHost;

        var queues = Table(await TestVirtualHost.Ctl("-q", "list_queues", "-p", vhost, "--no-table-headers", "name", "durable", "arguments"));
        Assert.Equal("true", queues[Queues.Input][0]);
        Assert.Contains("{\"x-queue-type\",\"quorum\"}", queues[Queues.Input][1], StringComparison.Ordinal);
        Assert.Contains("{\"x-delivery-limit\",20}", queues[Queues.Input][1], StringComparison.Ordinal);
        Assert.Contains("{\"x-dead-letter-exchange\",\"milestones-worker_dlq\"}", queues[Queues.Input][1], StringComparison.Ordinal);
        Assert.Contains("{\"x-delivery-limit\",5}", queues[Queues.Quarantine][1], StringComparison.Ordinal);
        Assert.Contains("{\"x-dead-letter-exchange\",\"milestones-worker_dlq\"}", queues[Queues.Quarantine][1], StringComparison.Ordinal);
        Assert.Contains("{\"x-queue-type\",\"quorum\"}", queues[Queues.DeadLetter][1], StringComparison.Ordinal);
        // The other inputs: quorum queues of their own, one message at a time, bounded deliveries like the quarantine.
        foreach (var queue in new[] { Queues.Retractions, Queues.Progress, Queues.Registrations })
        {
            Assert.Contains("{\"x-queue-type\",\"quorum\"}", queues[queue][1], StringComparison.Ordinal);
            Assert.Contains("{\"x-delivery-limit\",5}", queues[queue][1], StringComparison.Ordinal);
            Assert.Contains("{\"x-dead-letter-exchange\",\"milestones-worker_dlq\"}", queues[queue][1], StringComparison.Ordinal);
        }
        // The feed's queue: durable quorum queue without a bound of its own (the broker policy bounds it).
        Assert.Equal("true", queues[Queues.Feed][0]);
        Assert.Contains("{\"x-queue-type\",\"quorum\"}", queues[Queues.Feed][1], StringComparison.Ordinal);
        Assert.DoesNotContain("x-max-length", queues[Queues.Feed][1], StringComparison.Ordinal);

        var consumers = Table(await TestVirtualHost.Ctl("-q", "list_consumers", "-p", vhost, "--no-table-headers", "queue_name", "prefetch_count"));
        Assert.Equal("256", consumers[Queues.Input][0]);   // Messaging:PrefetchCount default
        Assert.Equal("1", consumers[Queues.Quarantine][0]);
        Assert.Equal("1", consumers[Queues.Progress][0]);
        Assert.Equal("1", consumers[Queues.Registrations][0]);
        Assert.DoesNotContain(Queues.Feed, consumers.Keys);   // the worker only feeds it

        var bindings = await TestVirtualHost.Ctl("-q", "list_bindings", "-p", vhost, "--no-table-headers", "source_name", "destination_name");
        Assert.Contains($"{Queues.InputExchange}\t{Queues.Input}", bindings, StringComparison.Ordinal);
        Assert.Contains($"{Queues.DeadLetter}\t{Queues.DeadLetter}", bindings, StringComparison.Ordinal);
        Assert.DoesNotContain($"{Queues.InputExchange}\t{Queues.Quarantine}", bindings, StringComparison.Ordinal);
        // Each input exchange reaches its own queue (through the queue's exchange of the same name).
        var bindingLines = bindings.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains($"{Queues.ProgressExchange}\t{Queues.Progress}", bindingLines);
        Assert.Contains($"{Queues.RegisteredExchange}\t{Queues.Registrations}", bindingLines);
        Assert.DoesNotContain($"{Queues.ProgressExchange}\t{Queues.Input}", bindingLines);
        Assert.Contains($"{Queues.RecordedExchange}\t{Queues.Feed}", bindingLines);
    }

    static Dictionary<string, string[]> Table(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length > 1)
            .GroupBy(parts => parts[0])
            .ToDictionary(g => g.Key, g => g.First()[1..]);
}
