using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Contracts;
using Milestones.Worker.Messaging;
using Milestones.Worker.Messaging.InputEndpoints;
using Milestones.Worker.Messaging.RabbitMq;
using Milestones.Worker.Telemetry;
using Milestones.Worker.Testing;

namespace Milestones.Worker.Consumers;

/// <summary>
/// The quarantine endpoint, <c>&lt;QueueName&gt;_quarantine</c> (RabbitMQ, with <c>Messaging:QuarantineRedeliveries</c> on):
/// the reports the broker handed back to the reports' endpoint after a crash or a lost connection, forwarded here by
/// <see cref="QuarantineRedeliveredFilter{T}"/> and consumed one at a time, so that a message that kills the process uses
/// up its own delivery limit (<c>Messaging:DeliveryLimit</c>) and not that of the messages fetched alongside it. Bound to no
/// exchange: only the worker feeds it. What happens to a message on it: <see cref="InputEndpointDefinition{TConsumer, TMessage}"/>.
/// </summary>
public sealed class MilestoneReachedQuarantineDefinition : InputEndpointDefinition<MilestoneReachedConsumer, MilestoneReached>
{
    public MilestoneReachedQuarantineDefinition(IOptions<MessagingOptions> options, MilestonesTelemetry telemetry, IOptions<TestingOptions> testing)
        : base(options, telemetry, testing)
    {
        QueueName = Options.QuarantineQueue();
        ConcurrentMessageLimit = 1;
    }

    public string QueueName { get; }

    /// <summary>
    /// The quarantine's exchange: a <c>queue:</c> address would make MassTransit declare the queue without its dead-letter
    /// arguments, which the broker refuses as inequivalent.
    /// </summary>
    public static Uri Address(MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Uri($"exchange:{options.QuarantineQueue()}");
    }

    /// <summary>One unacknowledged message at a time: a crash is charged to the message that caused it alone.</summary>
    protected override int PrefetchCount => 1;

    protected override int DeliveryLimit => Options.DeliveryLimit;

    /// <summary>
    /// Declares the endpoint on the bus. MassTransit's <c>ConfigureEndpoints</c> gives a consumer one endpoint, and
    /// <see cref="MilestoneReachedConsumer"/>'s is the reports' endpoint; this is its second.
    /// </summary>
    public void ReceiveEndpoint(IRabbitMqBusFactoryConfigurator bus, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.ReceiveEndpoint(QueueName, endpoint =>
        {
            // Fed only by the reports' endpoint, never bound to the message exchanges.
            endpoint.ConfigureConsumeTopology = false;
            endpoint.Consumer<MilestoneReachedConsumer>(context, consumer => ConfigureConsumer(endpoint, consumer, context));
        });
    }
}
