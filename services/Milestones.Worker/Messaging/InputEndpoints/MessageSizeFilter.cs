using MassTransit;

namespace Milestones.Worker.Messaging.InputEndpoints;

/// <summary>
/// First filter of an input endpoint's receive pipe: a body longer than <see cref="MessagingOptions.MaxMessageBodySize"/>
/// is refused before anything reads it (no deserializer, no copy). It looks only at the length the transport already
/// knows; the body the client received is the one copy in memory, and it is released when the message is moved to the
/// error queue. See <see cref="Consumers.InputEndpointDefinition{TConsumer, TMessage}"/> for how the refusal reaches the error queue.
/// </summary>
public sealed class MessageSizeFilter(int maxBodySize) : IFilter<ReceiveContext>
{
    public Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Body.Length is { } length && length > maxBodySize)
        {
            throw new MessageTooLargeException(length, maxBodySize);
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("milestonesMessageSize");
}
