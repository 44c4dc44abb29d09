using MassTransit;

namespace Milestones.Worker.Messaging.InputEndpoints;

/// <summary>
/// The broker-validated identity of a message's publisher: RabbitMQ's AMQP <c>user_id</c> property, which the broker
/// refuses on publish unless it equals the publishing connection's user. The in-memory transport has none.
/// </summary>
public static class PublisherIdentityReader
{
    public static string? AuthenticatedPublisher(this ConsumeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) && rabbit.Properties.IsUserIdPresent()
            ? rabbit.Properties.UserId
            : null;
    }
}
