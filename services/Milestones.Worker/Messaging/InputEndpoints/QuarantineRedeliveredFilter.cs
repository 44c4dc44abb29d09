using MassTransit;

namespace Milestones.Worker.Messaging.InputEndpoints;

/// <summary>
/// On the input queue, a message that the broker hands back (its consumer died or lost the connection holding it)
/// is not consumed there: it is forwarded to the quarantine queue, where messages are consumed one at a time.
/// <para>
/// Why: RabbitMQ counts a delivery for every unacknowledged message of a consumer that dies, so with a prefetch of
/// 64 a message that kills the process would use up the delivery limit of the 63 innocent messages fetched with it,
/// and they would be dead-lettered together. With a prefetch of one in quarantine, only the message being consumed
/// when the process dies is counted, so only the poison reaches the delivery limit and the dead-letter queue.
/// </para>
/// </summary>
public sealed class QuarantineRedeliveredFilter<T>(Uri quarantine) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!context.ReceiveContext.Redelivered)
        {
            await next.Send(context);
            return;
        }
        // Forwarded with its headers and message id; acknowledged here only once the broker confirmed the copy.
        // The copy keeps the publisher's broker identity (the worker's user may set it: it has the impersonator tag), or
        // the quarantine would take the worker for the sender.
        var endpoint = await context.GetSendEndpoint(quarantine);
        var publisher = context.AuthenticatedPublisher();
        await context.Forward(endpoint, Pipe.Execute<SendContext<T>>(send =>
        {
            if (publisher is not null && send.TryGetPayload(out RabbitMqSendContext? rabbit))
            {
                rabbit.BasicProperties.UserId = publisher;
            }
        }));
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("milestonesQuarantineRedelivered");
}
