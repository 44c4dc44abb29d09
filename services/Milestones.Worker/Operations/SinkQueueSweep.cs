using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Milestones.Worker.Operations;

/// <summary>
/// Reads a sink queue without losing or reordering what is in it, on every RabbitMQ version.
/// <para>
/// Why not simply consume and hand the messages back (a requeue): the sink queues are quorum queues, and MassTransit
/// declares them with their input queue's arguments, <c>x-delivery-limit</c> (5 or 20) and <c>x-dead-letter-exchange</c>
/// (the <c>_dlq</c>) included. On RabbitMQ 3.x (and 4.0 to 4.2, where the limit is 20 by default) every message handed
/// back counts as a delivery: a listing run more often than the limit would dead-letter the whole error queue (or,
/// in the dead-letter queue itself on 4.x, drop it). Only from RabbitMQ 4.3 on does a <c>basic.nack</c> with requeue
/// leave the count alone.
/// </para>
/// <para>
/// So a sweep takes every message the queue holds now (counted with a passive declare), in order, holding them
/// unacknowledged; publishes, in the same order and each confirmed by the broker, either an identical copy to the
/// queue's own exchange (bound to that queue alone), which lands at the tail with a fresh delivery count, or, for a
/// message being redriven, the message to its input exchange without the failure headers; and only then acknowledges
/// the originals. The queue ends up holding the kept messages in their order. A failure before the acknowledgement
/// returns the originals to the head of the queue in order (the broker does that for a closed channel), so at worst some
/// copies are left at its tail twice: nothing is ever lost. A copy keeps the publisher's <c>user_id</c>, which the broker
/// accepts only from a user with the <c>impersonator</c> tag. Messages the worker moves into the queue while a sweep
/// publishes its copies (milliseconds) land among the copies: run sweeps while the queue is quiet if that order matters.
/// </para>
/// </summary>
public sealed class SinkQueueSweep(IConnection connection, string brokerUser, TimeSpan deliveryTimeout)
{
    /// <summary>The most messages one sweep takes (the broker's prefetch limit); a longer queue is swept in several runs.</summary>
    public const int MaxMessages = ushort.MaxValue;

    /// <summary>
    /// Sweeps <paramref name="queue"/>: <paramref name="destination"/> says, for each message, the exchange to move it to,
    /// or null to keep it. Returns every message seen, in queue order, and which were moved. A missing queue has none.
    /// </summary>
    public async Task<SweepResult> Sweep(Sink queue, Func<SinkMessage, string?> destination, Action<int, int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(destination);
        var count = await CountMessages(queue.Name, cancellationToken);
        if (count is null or 0)
        {
            return new SweepResult(queue, count is not null, [], [], count > MaxMessages);
        }
        var take = (int)Math.Min(count.Value, MaxMessages);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        try
        {
            return await Sweep(channel, queue, take, count.Value > MaxMessages, destination, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationInterruptedException or AlreadyClosedException or PublishException && channel.CloseReason is { } reason)
        {
            throw Explain(reason, queue, ex);
        }
        catch (PublishException ex)
        {
            // Refused or returned without closing the channel: a queue at a length bound that rejects publishes, or an
            // exchange no longer bound to its queue. The originals go back to the head when the channel closes.
            throw new OpsException($"the broker did not take a message of '{queue.Name}' ({(ex.IsReturn ? "returned: no queue bound" : "refused, e.g. a queue at its length limit")}); "
                + "nothing was acknowledged, so the queue still holds every message in order (a copy already put back may be there twice).", ex);
        }
    }

    async Task<SweepResult> Sweep(IChannel channel, Sink queue, int take, bool more, Func<SinkMessage, string?> destination,
        Action<int, int>? progress, CancellationToken cancellationToken)
    {
        // At most `take` unacknowledged deliveries: exactly the messages counted, from the head of the queue.
        await channel.BasicQosAsync(0, (ushort)take, global: false, cancellationToken);
        var deliveries = Channel.CreateUnbounded<Delivery>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            // The body's memory belongs to the client only during this handler.
            deliveries.Writer.TryWrite(new Delivery(e.DeliveryTag, e.BasicProperties, e.Body.ToArray()));
            return Task.CompletedTask;
        };
        var tag = await channel.BasicConsumeAsync(queue.Name, autoAck: false, consumer, cancellationToken);
        var taken = new List<Delivery>(take);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(deliveryTimeout);
            try
            {
                while (taken.Count < take)
                {
                    taken.Add(await deliveries.Reader.ReadAsync(timeout.Token));
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Fewer than counted: another consumer took some meanwhile. Sweep what came.
            }
        }
        await channel.BasicCancelAsync(tag, noWait: false, cancellationToken);

        var seen = new List<SinkMessage>(taken.Count);
        var moves = new List<(Delivery Delivery, SinkMessage Message, string Target)>();
        var done = 0;
        for (var i = 0; i < taken.Count; i++)
        {
            var delivery = taken[i];
            var message = SinkMessage.Read(queue.Name, i + 1, delivery.Properties, delivery.Body);
            seen.Add(message);
            if (destination(message) is { } target)
            {
                moves.Add((delivery, message, target));
                continue;
            }
            // Mandatory: a copy no queue would take comes back as a failed publish, and the original is not acknowledged.
            await channel.BasicPublishAsync(queue.Name, string.Empty, mandatory: true, Copy(delivery.Properties, dropFailureHeaders: false), delivery.Body, cancellationToken);
            progress?.Invoke(++done, taken.Count);
        }
        // The moved messages only once every kept one is back in place: one that fails again and is set aside at once
        // lands behind them, not among them.
        foreach (var (delivery, _, target) in moves)
        {
            await channel.BasicPublishAsync(target, string.Empty, mandatory: true, Copy(delivery.Properties, dropFailureHeaders: true), delivery.Body, cancellationToken);
            progress?.Invoke(++done, taken.Count);
        }
        var moved = moves.Select(m => m.Message).ToList();
        if (taken.Count > 0)
        {
            // Every copy and every moved message is confirmed: now the originals go.
            await channel.BasicAckAsync(taken[^1].Tag, multiple: true, cancellationToken);
        }
        await channel.CloseAsync(cancellationToken);
        return new SweepResult(queue, true, seen, moved, more);
    }

    /// <summary>The queue's ready messages, or null when there is no such queue (never declared: nothing was set aside there).</summary>
    async Task<uint?> CountMessages(string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel: ask on one of its own.
        await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await probe.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 403)
        {
            throw new OpsException($"the broker refused user '{brokerUser}' access to queue '{queue}': {ex.ShutdownReason.ReplyText}. "
                + "Give the ops user the permissions of deploy/rabbitmq/broker-permissions.sh --ops-user.", ex);
        }
    }

    internal static BasicProperties Copy(IReadOnlyBasicProperties original, bool dropFailureHeaders)
    {
        var copy = new BasicProperties(original);
        if (original.Headers is { } headers)
        {
            copy.Headers = headers
                .Where(h => dropFailureHeaders ? !SinkMessage.IsFailureHeader(h.Key) : !SinkMessage.IsBrokerCounter(h.Key))
                .ToDictionary(h => h.Key, h => h.Value);
        }
        copy.Persistent = true;
        return copy;
    }

    OpsException Explain(ShutdownEventArgs reason, Sink queue, Exception inner)
    {
        var text = reason.ReplyText ?? string.Empty;
        if (reason.ReplyCode == 406 && text.Contains("user_id", StringComparison.Ordinal))
        {
            return new OpsException(
                $"the broker refused to publish a message of '{queue.Name}' with its publisher's user_id ({text}): the ops user '{brokerUser}' needs the "
                + "'impersonator' tag, which keeps each message's broker-validated sender (deploy/rabbitmq/broker-permissions.sh --ops-user). "
                + "Nothing was moved or lost: the queue still holds every message, in order.", inner);
        }
        if (reason.ReplyCode == 403)
        {
            return new OpsException($"the broker refused user '{brokerUser}' ({text}); give it the ops user's permissions (deploy/rabbitmq/broker-permissions.sh --ops-user). "
                + "Nothing was moved or lost.", inner);
        }
        return new OpsException($"the broker closed the channel while sweeping '{queue.Name}' ({reason.ReplyCode} {text}); the messages not yet acknowledged "
            + "are back at the head of the queue, in order (a copy already put back may be there twice).", inner);
    }

    sealed record Delivery(ulong Tag, IReadOnlyBasicProperties Properties, byte[] Body);
}

/// <summary>What a sweep saw in one queue (in order) and what it moved.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="Exists">False when the queue was never declared.</param>
/// <param name="Messages">Every message, in queue order.</param>
/// <param name="Moved">Those sent back to their input exchange.</param>
/// <param name="More">True when the queue held more than <see cref="SinkQueueSweep.MaxMessages"/>; run again for the rest.</param>
public sealed record SweepResult(Sink Queue, bool Exists, IReadOnlyList<SinkMessage> Messages, IReadOnlyList<SinkMessage> Moved, bool More);
