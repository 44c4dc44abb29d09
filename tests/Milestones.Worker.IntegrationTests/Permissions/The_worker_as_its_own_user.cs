using System.Text;
using System.Text.Json;
using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;
using RabbitMQ.Client;

namespace Milestones.Worker.IntegrationTests.Permissions;

/// <summary>
/// The worker connected as the user deploy/rabbitmq/broker-permissions.sh creates for it, in Production without the
/// default-credentials opt-out: it declares everything it needs, records a publisher's event, moves a refused one to its
/// error queue, and its completion reaches a subscriber carrying the worker's user as the broker-validated <c>user_id</c>.
/// </summary>
[Collection(ScriptedBrokerGroup.Name)]
public sealed class The_worker_as_its_own_user(ScriptedBroker broker)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Declares_its_whole_topology_and_becomes_ready()
    {
        var worker = await broker.Worker();

        var queues = await broker.VirtualHost.AllQueueCounts();
        var exchanges = await TestVirtualHost.Ctl("-q", "list_exchanges", "-p", broker.VirtualHost.VHost, "--no-table-headers", "name");

        Assert.Superset(new HashSet<string> { Queues.Input, Queues.Quarantine, Queues.DeadLetter, Queues.Retractions, Queues.Progress, Queues.Registrations, Queues.Feed },
            queues.Keys.ToHashSet());
        foreach (var exchange in new[]
        {
            Queues.Input, Queues.Quarantine, Queues.DeadLetter, WireNames.MilestoneReachedExchange, WireNames.ProjectCompletedExchange, WireNames.ProjectReopenedExchange,
            WireNames.MilestoneRetractedExchange, WireNames.ProgressReportedExchange, WireNames.ProjectRegisteredExchange,
            WireNames.TargetMetExchange, WireNames.MilestoneOverdueExchange, WireNames.MilestoneRecordedExchange,
        })
        {
            Assert.Contains(exchange, exchanges.Split('\n', StringSplitOptions.TrimEntries));
        }
        Assert.DoesNotContain(worker.Logs.Entries, e => e.Message.Contains("ACCESS_REFUSED", StringComparison.Ordinal) || (e.Exception?.ToString().Contains("ACCESS_REFUSED", StringComparison.Ordinal) ?? false));
    }

    [Fact]
    public async Task Publishes_the_completion_a_subscriber_receives_with_the_workers_user_id()
    {
        var worker = await broker.Worker();
        await using var subscriber = await broker.Connect(broker.Subscriber);
        await using var inbox = await subscriber.CreateChannelAsync(cancellationToken: Cancel);
        var queue = $"{broker.Subscriber}.completions";
        await inbox.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: Cancel);
        await inbox.QueueBindAsync(queue, WireNames.ProjectCompletedExchange, string.Empty, cancellationToken: Cancel);
        var opened = Events.Valid("subway-16-south", "opened") with { SourceSystem = null };

        await Publish(opened);

        BasicGetResult? completion = null;
        await Poll.Until(async () => (completion = await inbox.BasicGetAsync(queue, autoAck: true, Cancel)) is not null, TimeSpan.FromSeconds(30),
            () => "no ProjectCompleted reached the subscriber's queue");
        Assert.Equal(broker.WorkerUser, completion!.BasicProperties.UserId);
        Assert.Contains("subway-16-south", Encoding.UTF8.GetString(completion.Body.Span), StringComparison.Ordinal);
        Assert.True(worker.Store.HasEvent(opened.EventId));
    }

    [Fact]
    public async Task Moves_a_refused_event_to_its_error_queue_with_the_publishers_user_id_kept()
    {
        await broker.Worker();
        await using var reader = await RabbitClient.Connect(broker.VirtualHost);
        var refused = Events.Valid("no-such-project");

        await Publish(refused);

        var moved = await reader.WaitFor(Queues.Error, m => m.Text.Contains(refused.EventId.ToString(), StringComparison.Ordinal));
        Assert.Equal(broker.Publisher, moved.Properties.UserId);
    }

    async Task Publish(MilestoneReached message)
    {
        await using var connection = await broker.Connect(broker.Publisher);
        var refusal = await Amqp.Refusal(connection, channel =>
            Amqp.Publish(channel, WireNames.MilestoneReachedExchange, broker.Publisher, JsonSerializer.Serialize(message, RabbitClient.Json)).AsTask());
        Assert.Null(refusal);
    }
}
