using MassTransit;
using MassTransit.Configuration;
using Milestones.Contracts;
using Milestones.Worker.Messaging.InputEndpoints;

namespace Milestones.Worker.Messaging.RabbitMq;

/// <summary>
/// The worker's RabbitMQ topology. For the input queue <c>milestones-worker</c> (<see cref="MessagingOptions.QueueName"/>):
/// <list type="bullet">
/// <item><c>milestones.milestone-reached</c> (fanout, durable): where publishers send; bound to the queue through the
/// exchange of the same name as the queue (MassTransit's consume topology).</item>
/// <item><c>milestones-worker</c>: durable quorum queue with <c>x-delivery-limit</c> and <c>x-dead-letter-exchange</c>.</item>
/// <item><c>milestones-worker_quarantine</c>: quorum queue, prefetch 1, for messages handed back after a crash
/// (<see cref="QuarantineRedeliveredFilter{T}"/>); bound to nothing, fed only by the worker.</item>
/// <item><c>milestones-worker_dlq</c> (exchange and quorum queue): messages that reached the delivery limit, with the
/// broker's <c>x-death</c> header saying why.</item>
/// <item><c>milestones-worker_error</c> / <c>milestones-worker_skipped</c>: MassTransit's queues for refused or
/// unreadable messages and for messages of an unknown type.</item>
/// <item><c>milestones-worker-retractions</c>, <c>milestones-worker-progress</c>, <c>milestones-worker-registrations</c>:
/// the queues of the other inputs, bound to <c>milestones.milestone-retracted</c>, <c>milestones.progress-reported</c>
/// and <c>milestones.project-registered</c>, each with its own <c>_error</c> and <c>_skipped</c>.</item>
/// <item><c>milestones.project-completed</c>, <c>milestones.project-reopened</c>, <c>milestones.target-met</c>,
/// <c>milestones.milestone-overdue</c>, <c>milestones.milestone-recorded</c> (fanout, durable): the outputs,
/// declared when the bus starts (<see cref="ConfigureOutputs"/>), so subscribers can bind before the first one is
/// published; and <c>milestones.milestone-recorded.feed</c>, the feed's queue.</item>
/// </list>
/// </summary>
public static class RabbitMqTopology
{
    public const string QuarantineSuffix = "_quarantine";
    public const string DeadLetterSuffix = "_dlq";

    /// <summary>
    /// The RabbitMQ client's own limit on an inbound body, in bytes: 32 MiB, a hard ceiling far above
    /// <see cref="MessagingOptions.MaxMessageBodySize"/> (at most 16 MiB) and above the broker's <c>max_message_size</c>
    /// in <c>deploy/</c> (16 MiB). It is not the limit that refuses large messages: RabbitMQ.Client checks it when
    /// it reads the frame and, past it, closes the whole connection, not the one message; the message stays in the
    /// queue, is delivered again on the next connection and closes that one too, so every consumer of the connection
    /// would stall (measured with RabbitMQ.Client 7.2.2: the connection closes with 501 "Frame body size … exceeds
    /// maximum", recovers, closes again, and the message queued behind the large one is never delivered). Refusing happens in <see cref="MessageSizeFilter"/>, per message. This ceiling only keeps a broker
    /// without a <c>max_message_size</c> (RabbitMQ's own default is 128 MiB) from making the worker allocate more.
    /// </summary>
    public const int ClientMaxMessageBodySize = 32 * 1024 * 1024;

    public static string QuarantineQueue(this MessagingOptions options) => options.QueueName + QuarantineSuffix;

    public static string DeadLetterQueue(this MessagingOptions options) => options.QueueName + DeadLetterSuffix;

    /// <summary>
    /// The broker connection, from MassTransit's <c>RabbitMqTransport</c> section (host, port, virtual host, user,
    /// password, TLS), with publisher confirms on: a publish returns only once the broker has taken the message.
    /// With <c>UseSsl</c>, <paramref name="configureTls"/> sets the certificate checks (<see cref="BrokerTls"/>).
    /// </summary>
    public static void ConfigureHost(this IRabbitMqBusFactoryConfigurator configurator, RabbitMqTransportOptions transport,
        Action<IRabbitMqSslConfigurator>? configureTls = null)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(transport);
        var connectionName = string.IsNullOrWhiteSpace(transport.ConnectionName) ? $"milestones-worker/{Environment.MachineName}" : transport.ConnectionName;
        configurator.Host(transport.Host, transport.Port, transport.VHost, connectionName, host =>
        {
            host.Username(transport.User);
            host.Password(transport.Pass);
            if (transport.UseSsl)
            {
                host.UseSsl(ssl =>
                {
                    ssl.ServerName = transport.Host;
                    configureTls?.Invoke(ssl);
                });
            }
            // MassTransit's default, stated: the outbox marks a completion sent only after the broker confirmed it.
            host.PublisherConfirmation = true;
            host.MaxMessageSize(ClientMaxMessageBodySize);
        });
    }

    /// <summary>
    /// A queue the worker consumes: durable quorum queue, at most <paramref name="deliveryLimit"/> deliveries after a
    /// consumer died holding a message (each endpoint's definition says its limit), dead-lettered to <c>_dlq</c>.
    /// </summary>
    public static void ConfigureConsumedQueue(this IRabbitMqReceiveEndpointConfigurator endpoint, MessagingOptions options, int deliveryLimit)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        endpoint.Durable = true;
        endpoint.SetQuorumQueue();
        endpoint.SetQueueArgument("x-delivery-limit", deliveryLimit);
        // Declares the _dlq exchange and queue and points the queue's x-dead-letter-exchange at it.
        endpoint.BindDeadLetterQueue(options.DeadLetterQueue(), options.DeadLetterQueue(), queue => queue.SetQuorumQueue());
    }

    /// <summary>
    /// The output exchanges exist from the moment the bus starts, declared by MassTransit's own publish topology (so
    /// the declaration a later publish makes is the same: fanout, durable): a subscriber that starts first can bind.
    /// And their messages are published <c>mandatory</c> (<see cref="MandatoryOutputsFilter{T}"/>): a message that
    /// no queue receives comes back from the broker as <see cref="MessageReturnedException"/>, and the outbox keeps it.
    /// The feed's queue (<see cref="FeedsOptions.MilestoneRecordedQueue"/>, unless empty) is declared and bound to
    /// <c>milestones.milestone-recorded</c> at the same time, so the feed always has a receiver.
    /// </summary>
    public static void ConfigureOutputs(this IRabbitMqBusFactoryConfigurator configurator, FeedsOptions feeds)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(feeds);
        configurator.DeployPublishTopology = true;
        configurator.Output<ProjectCompleted>();
        configurator.Output<ProjectReopened>();
        configurator.Output<TargetMet>();
        configurator.Output<MilestoneOverdue>();
        configurator.Output<MilestoneRecorded>(exchange =>
        {
            if (!string.IsNullOrEmpty(feeds.MilestoneRecordedQueue))
            {
                // A durable quorum queue with no arguments of its own: its bound comes from a broker policy, which can
                // change without the declarations failing as inequivalent (see deploy/rabbitmq/broker-permissions.sh).
                exchange.BindQueue(WireNames.MilestoneRecordedExchange, feeds.MilestoneRecordedQueue, queue =>
                {
                    queue.Durable = true;
                    queue.AutoDelete = false;
                    queue.SetQuorumQueue();
                });
            }
        });
    }

    static void Output<T>(this IRabbitMqBusFactoryConfigurator configurator, Action<IRabbitMqMessagePublishTopologyConfigurator<T>>? configure = null)
        where T : class
    {
        configurator.Publish<T>(exchange =>
        {
            exchange.ExchangeType = RabbitMQ.Client.ExchangeType.Fanout;
            configure?.Invoke(exchange);
        });
        configurator.ConfigurePublish(publish => publish.AddPipeSpecification(new FilterPipeSpecification<PublishContext<T>>(new MandatoryOutputsFilter<T>())));
    }
}
