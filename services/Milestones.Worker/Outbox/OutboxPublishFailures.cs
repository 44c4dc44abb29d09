using MassTransit;
using Milestones.Worker.Messaging;

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
}
