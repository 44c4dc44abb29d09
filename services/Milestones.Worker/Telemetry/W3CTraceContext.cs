using OpenTelemetry.Trace;
using RabbitMQ.Client;

namespace Milestones.Worker.Telemetry;

/// <summary>
/// W3C trace context on AMQP messages, both ways, without a filter of our own.
/// <para>
/// In: MassTransit 8 takes the parent of its receive span from its own <c>MT-Activity-Id</c> header and, when that is
/// absent (any publisher that is not MassTransit), from <see cref="System.Diagnostics.Activity.Current"/>; it never reads
/// <c>traceparent</c>, and it starts that span before any filter or observer of ours could run. RabbitMQ.Client 7, under
/// it, starts a <c>deliver</c> span around each delivery whose parent is the message's W3C <c>traceparent</c> header
/// (<see cref="RabbitMQTracingOptions.UsePublisherAsParent"/>), and MassTransit 8.5 dispatches the delivery inline,
/// inside that span. Listening to RabbitMQ.Client's subscriber source is therefore the whole bridge:
/// upstream span -> <c>deliver</c> -> MassTransit receive -> consume -> ours.
/// </para>
/// <para>
/// Out: with its publisher source listened to, RabbitMQ.Client starts a <c>publish</c> span under MassTransit's send
/// span and writes its <c>traceparent</c> on the message, so consumers that are not MassTransit can continue the trace
/// of a <c>ProjectCompleted</c> too. It does either only while someone listens, which OpenTelemetry does for the
/// sources added here. The test <c>Upstream_traceparent_is_continued_to_the_completion</c> proves the chain on a broker.
/// </para>
/// </summary>
public static class W3CTraceContext
{
    /// <summary>RabbitMQ.Client's own sources: its publish and deliver spans carry <c>traceparent</c> across the broker.</summary>
    public static readonly string[] ActivitySources = [RabbitMQActivitySource.SubscriberSourceName, RabbitMQActivitySource.PublisherSourceName];

    /// <summary>
    /// Traces the AMQP publish and deliver, so that <c>traceparent</c> is read from and written on messages. Also makes a
    /// delivery's <c>traceparent</c> the parent of its span (RabbitMQ.Client's default, stated because the trace depends
    /// on it) and names the spans <c>deliver</c>/<c>publish</c> rather than after the routing key, which is empty on
    /// MassTransit's fan-out exchanges. RabbitMQ.Client holds these two settings process-wide.
    /// </summary>
    public static TracerProviderBuilder AddW3CTraceContext(this TracerProviderBuilder tracing)
    {
        ArgumentNullException.ThrowIfNull(tracing);
        RabbitMQActivitySource.TracingOptions = new RabbitMQTracingOptions
        {
            UsePublisherAsParent = true,
            UseRoutingKeyAsOperationName = false,
        };
        return tracing.AddSource(ActivitySources);
    }
}
