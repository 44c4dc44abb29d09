using MassTransit;
using Milestones.Worker.Messaging;
using RabbitPublishException = RabbitMQ.Client.Exceptions.PublishException;

namespace Milestones.Worker.Outbox;

/// <summary>How the outbox dispatcher tells the failures of one entry from those of the broker or the store.</summary>
public static class OutboxPublishFailures
{
    /// <summary>
    /// The broker returned the message: it was published <c>mandatory</c> and no queue is bound to its exchange (no
    /// subscriber yet). MassTransit 8.5 fails the publish with <see cref="MessageReturnedException"/>. The entry stays
    /// pending and is published again on a later pass (after its lease, <c>Outbox:Lease</c>); the other entries of
    /// the batch go on.
    /// </summary>
    public static bool IsUnroutable(Exception exception) => exception.AndInner().OfType<MessageReturnedException>().Any();

    /// <summary>
    /// The broker refused the message (<c>basic.nack</c>): a queue it would go to is full and bounded with
    /// <c>overflow: reject-publish</c>, such as the feed's queue whose readers fell behind. MassTransit 8.5 fails the
    /// publish with RabbitMQ.Client's <see cref="RabbitPublishException"/> that is not a return (a return becomes
    /// <see cref="MessageReturnedException"/>). Like an unroutable one, the entry stays pending and the rest of the batch
    /// goes on, so a full feed does not hold back completions.
    /// </summary>
    public static bool IsRefused(Exception exception) => exception.AndInner().OfType<RabbitPublishException>().Any(e => !e.IsReturn);
}
