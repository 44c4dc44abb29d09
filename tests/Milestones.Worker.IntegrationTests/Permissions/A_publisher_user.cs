using System.Text.Json;
using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;
using RabbitMQ.Client;

namespace Milestones.Worker.IntegrationTests.Permissions;

/// <summary>
/// An upstream publisher's user, as deploy/rabbitmq/broker-permissions.sh creates it: write on the input exchanges,
/// configure nothing, read nothing; and RabbitMQ checks the <c>user_id</c> it sets against it.
/// </summary>
[Collection(ScriptedBrokerGroup.Name)]
public sealed class A_publisher_user(ScriptedBroker broker)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Can_publish_to_every_input_exchange_with_its_own_user_id()
    {
        await broker.Worker();   // the worker declares its input exchanges
        await using var connection = await broker.Connect(broker.Publisher);
        var body = JsonSerializer.Serialize(Events.Valid("lize-city-terminal", "design-completed"), RabbitClient.Json);

        var refusal = await Amqp.Refusal(connection, async channel =>
        {
            await Amqp.Publish(channel, WireNames.MilestoneReachedExchange, broker.Publisher, body);
            await Amqp.Publish(channel, WireNames.MilestoneRetractedExchange, broker.Publisher);
            await Amqp.Publish(channel, WireNames.ProgressReportedExchange, broker.Publisher);
            await Amqp.Publish(channel, WireNames.ProjectRegisteredExchange, broker.Publisher);
        });

        Assert.Null(refusal);
    }

    [Fact]
    public async Task Cannot_publish_to_the_project_completed_exchange()
    {
        await broker.Worker();
        await using var connection = await broker.Connect(broker.Publisher);

        var refusal = await Amqp.Refusal(connection, channel => Amqp.Publish(channel, WireNames.ProjectCompletedExchange, broker.Publisher).AsTask());

        Amqp.AssertAccessRefused(refusal, $"exchange '{WireNames.ProjectCompletedExchange}'", broker.Publisher);
    }

    [Theory]
    [InlineData(Queues.Input)]
    [InlineData(Queues.Quarantine)]
    [InlineData(Queues.DeadLetter)]
    public async Task Cannot_consume_or_purge_the_workers_queues(string queue)
    {
        await broker.Worker();
        await using var connection = await broker.Connect(broker.Publisher);

        var consume = await Amqp.Refusal(connection, channel => channel.BasicGetAsync(queue, autoAck: true, Cancel));
        var purge = await Amqp.Refusal(connection, channel => channel.QueuePurgeAsync(queue, Cancel));

        Amqp.AssertAccessRefused(consume, $"queue '{queue}'", broker.Publisher);
        Amqp.AssertAccessRefused(purge, $"queue '{queue}'", broker.Publisher);
    }

    [Fact]
    public async Task Cannot_declare_a_queue_or_an_exchange_not_even_the_input_exchange()
    {
        await broker.Worker();
        await using var connection = await broker.Connect(broker.Publisher);

        var queue = await Amqp.Refusal(connection, channel => channel.QueueDeclareAsync($"{broker.Publisher}.inbox", durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel));
        var workers = await Amqp.Refusal(connection, channel => channel.QueueDeclareAsync(Queues.Input, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: Cancel));
        var exchange = await Amqp.Refusal(connection, channel => channel.ExchangeDeclareAsync(WireNames.MilestoneReachedExchange, ExchangeType.Fanout, durable: true, cancellationToken: Cancel));

        Amqp.AssertAccessRefused(queue, $"queue '{broker.Publisher}.inbox'", broker.Publisher);
        Amqp.AssertAccessRefused(workers, $"queue '{Queues.Input}'", broker.Publisher);
        Amqp.AssertAccessRefused(exchange, $"exchange '{WireNames.MilestoneReachedExchange}'", broker.Publisher);
    }

    [Fact]
    public async Task Cannot_forge_another_publishers_or_the_workers_user_id()
    {
        await broker.Worker();
        await using var connection = await broker.Connect(broker.Publisher);

        var other = await Amqp.Refusal(connection, channel => Amqp.Publish(channel, WireNames.MilestoneReachedExchange, broker.OtherPublisher).AsTask());
        var worker = await Amqp.Refusal(connection, channel => Amqp.Publish(channel, WireNames.MilestoneReachedExchange, broker.WorkerUser).AsTask());

        Amqp.AssertRefused(other, Amqp.PreconditionFailed, $"user_id property set to '{broker.OtherPublisher}' but authenticated user was '{broker.Publisher}'");
        Amqp.AssertRefused(worker, Amqp.PreconditionFailed, $"user_id property set to '{broker.WorkerUser}'");
    }
}
