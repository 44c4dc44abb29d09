using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;
using RabbitMQ.Client;

namespace Milestones.Worker.IntegrationTests.Permissions;

/// <summary>
/// A subscriber's user, as deploy/rabbitmq/broker-permissions.sh creates it: its own queues (named "user.*") bound to the
/// output exchanges, nothing of the worker's.
/// </summary>
[Collection(ScriptedBrokerGroup.Name)]
public sealed class A_subscriber_user(ScriptedBroker broker)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Binds_its_own_queue_to_every_output_exchange_before_any_completion_and_consumes_it()
    {
        await broker.Worker();   // the worker declares its output exchanges at start
        await using var connection = await broker.Connect(broker.Subscriber);
        var queue = $"{broker.Subscriber}.bind-test";

        var refusal = await Amqp.Refusal(connection, async channel =>
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
            await channel.QueueBindAsync(queue, WireNames.ProjectCompletedExchange, string.Empty, cancellationToken: Cancel);
            await channel.QueueBindAsync(queue, WireNames.ProjectReopenedExchange, string.Empty, cancellationToken: Cancel);
            await channel.QueueBindAsync(queue, WireNames.TargetMetExchange, string.Empty, cancellationToken: Cancel);
            await channel.QueueBindAsync(queue, WireNames.MilestoneOverdueExchange, string.Empty, cancellationToken: Cancel);
            await channel.QueueBindAsync(queue, WireNames.MilestoneRecordedExchange, string.Empty, cancellationToken: Cancel);
            await channel.BasicGetAsync(queue, autoAck: true, Cancel);
            await channel.QueueDeleteAsync(queue, cancellationToken: Cancel);
        });

        Assert.Null(refusal);
    }

    [Fact]
    public async Task Consumes_the_feed_queue_the_worker_declared_but_cannot_purge_or_delete_it()
    {
        await broker.Worker();
        await using var connection = await broker.Connect(broker.Subscriber);

        var consume = await Amqp.Refusal(connection, channel => channel.BasicGetAsync(Queues.Feed, autoAck: false, Cancel));
        var delete = await Amqp.Refusal(connection, channel => channel.QueueDeleteAsync(Queues.Feed, cancellationToken: Cancel));

        Assert.Null(consume);
        Amqp.AssertAccessRefused(delete, $"queue '{Queues.Feed}'", broker.Subscriber);
    }

    [Fact]
    public async Task Cannot_read_or_bind_the_workers_queues()
    {
        await broker.Worker();
        await using var connection = await broker.Connect(broker.Subscriber);

        var consume = await Amqp.Refusal(connection, channel => channel.BasicGetAsync(Queues.Input, autoAck: true, Cancel));
        var bind = await Amqp.Refusal(connection, channel => channel.QueueBindAsync(Queues.Input, WireNames.ProjectCompletedExchange, string.Empty, cancellationToken: Cancel));

        Amqp.AssertAccessRefused(consume, $"queue '{Queues.Input}'", broker.Subscriber);
        Amqp.AssertAccessRefused(bind, $"queue '{Queues.Input}'", broker.Subscriber);
    }

    [Fact]
    public async Task Cannot_declare_queues_outside_its_prefix_nor_publish_anywhere()
    {
        await broker.Worker();
        await using var connection = await broker.Connect(broker.Subscriber);

        var foreign = await Amqp.Refusal(connection, channel => channel.QueueDeclareAsync($"{broker.Publisher}.inbox", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel));
        var completed = await Amqp.Refusal(connection, channel => Amqp.Publish(channel, WireNames.ProjectCompletedExchange, broker.Subscriber).AsTask());
        var reached = await Amqp.Refusal(connection, channel => Amqp.Publish(channel, WireNames.MilestoneReachedExchange, broker.Subscriber).AsTask());

        Amqp.AssertAccessRefused(foreign, $"queue '{broker.Publisher}.inbox'", broker.Subscriber);
        Amqp.AssertAccessRefused(completed, $"exchange '{WireNames.ProjectCompletedExchange}'", broker.Subscriber);
        Amqp.AssertAccessRefused(reached, $"exchange '{WireNames.MilestoneReachedExchange}'", broker.Subscriber);
    }
}
