using MassTransit;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Messaging.InputEndpoints;

/// <summary>
/// In front of MassTransit's move of a message to a sink queue (<c>_error</c>, <c>_skipped</c>): counts a move that
/// failed in <c>milestones.sink.refused</c>, tagged with the sink queue, and lets the failure go on. The sink queues are
/// bounded with <c>overflow: reject-publish</c> (the broker policy of <c>deploy/rabbitmq/broker-permissions.sh</c>), so
/// the usual reason is a full sink queue: the broker nacks the copy, the move fails, and the message is not acknowledged
/// but handed back to its input queue and delivered again, until there is room. Nothing is dropped; this makes it seen.
/// </summary>
public sealed class SinkRefusalFilter<TContext>(MilestonesTelemetry telemetry, string suffix) : IFilter<TContext>
    where TContext : class, ReceiveContext
{
    public async Task Send(TContext context, IPipe<TContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next.Send(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The endpoint's own queue name (a handful per worker), never anything from the message.
            var queue = context.InputAddress.AbsolutePath.TrimEnd('/').Split('/')[^1] + suffix;
            telemetry.SinkRefused.Add(1, new KeyValuePair<string, object?>(MilestonesTelemetry.QueueTag, queue));
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("milestonesSinkRefusal");
}
