using MassTransit;
using Milestones.Contracts;

namespace Milestones.Worker.Messaging.RabbitMq;

/// <summary>
/// Publishes the service's outputs (<see cref="ProjectCompleted"/>, <see cref="ProjectReopened"/>, <see cref="TargetMet"/>,
/// <see cref="MilestoneOverdue"/>, <see cref="MilestoneRecorded"/>) with AMQP's
/// <c>mandatory</c> flag: a message that no queue is bound to receive is returned by the broker instead of being
/// dropped, and MassTransit fails the publish with <see cref="MessageReturnedException"/>. The outbox then leaves the
/// entry pending (<see cref="Outbox.OutboxPublishFailures"/>). Other messages (the quarantine forward, error-queue
/// moves) are untouched: it is added to the publish pipe of the output types only
/// (<see cref="RabbitMqTopology.ConfigureOutputs"/>). On a transport without the flag (in-memory) it does nothing.
/// </summary>
public sealed class MandatoryOutputsFilter<T> : IFilter<PublishContext<T>>
    where T : class
{
    public Task Send(PublishContext<T> context, IPipe<PublishContext<T>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
        {
            rabbit.Mandatory = true;
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("milestonesMandatoryOutputs");
}
