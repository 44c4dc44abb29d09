using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.Options;
using Milestones.Worker.Messaging;
using Milestones.Worker.Messaging.InputEndpoints;
using Milestones.Worker.Messaging.RabbitMq;
using Milestones.Worker.Telemetry;
using Milestones.Worker.Testing;

namespace Milestones.Worker.Consumers;

/// <summary>
/// What happens to a message on an input endpoint, in the order it happens, from the transport to the consumer and, when
/// it is refused or fails, to the error queue. Each input endpoint has a definition that derives from this one and says
/// only what is its own: its queue, how many messages it holds at once, its delivery limit, where a redelivered message
/// goes. The endpoints: <see cref="MilestoneReachedConsumerDefinition"/> (the reports, many at a time),
/// <see cref="MilestoneReachedQuarantineDefinition"/> (reports the broker handed back, one at a time),
/// <see cref="MilestoneRetractedConsumerDefinition"/>, <see cref="ProgressReportedConsumerDefinition"/> and
/// <see cref="ProjectRegisteredConsumerDefinition"/> (one at a time).
/// </summary>
public abstract class InputEndpointDefinition<TConsumer, TMessage> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer<TMessage>
    where TMessage : class
{
    readonly MilestonesTelemetry telemetry;
    readonly TestingOptions testing;

    protected InputEndpointDefinition(IOptions<MessagingOptions> options, MilestonesTelemetry telemetry, IOptions<TestingOptions> testing)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(testing);
        Options = options.Value;
        this.telemetry = telemetry;
        this.testing = testing.Value;
    }

    protected MessagingOptions Options { get; }

    /// <summary>RabbitMQ: how many messages one replica holds unacknowledged from this endpoint's queue.</summary>
    protected abstract int PrefetchCount { get; }

    /// <summary>
    /// RabbitMQ: the queue's <c>x-delivery-limit</c>, how many times the broker hands a message back after a consumer died
    /// holding it before it dead-letters the message to <c>&lt;QueueName&gt;_dlq</c>.
    /// </summary>
    protected abstract int DeliveryLimit { get; }

    /// <summary>
    /// RabbitMQ: where a message the broker hands back (its consumer died or lost the connection holding it) is forwarded
    /// instead of being consumed here; null: it is consumed here again.
    /// </summary>
    protected virtual Uri? RedeliveredMessagesGoTo => null;

    protected sealed override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        var endpoint = endpointConfigurator;
        var rabbit = endpoint as IRabbitMqReceiveEndpointConfigurator;

        // 1. Before anything reads it: a body over Messaging:MaxMessageBodySize is refused (MessageSizeFilter). The filter
        //    sits in front of MassTransit's own rescue, so it has a rescue of its own that hands the refusal to the same
        //    error pipe as below.
        endpoint.ConfigureReceive(receive =>
        {
            receive.UseRescue(Pipe.New<ExceptionReceiveContext>(error => ConfigureErrorPipe(error, faults: false)),
                rescue => rescue.Handle<MessageTooLargeException>());
            receive.UseFilter(new MessageSizeFilter(Options.MaxMessageBodySize));
        });

        // 2. A refused or unreadable message goes to <queue>_error through the error pipe. On the broker (the public
        //    endpoint) it sends no Fault: MassTransit's fault would go to the faultAddress or responseAddress a publisher
        //    wrote into the envelope, or be published to anyone bound to the fault exchange, with the exception's stack
        //    trace. The error queue's copy and its headers are the record. The in-memory bus (development, the demo, the
        //    test harness) is private to the process and keeps them.
        endpoint.ConfigureError(error => ConfigureErrorPipe(error, faults: rabbit is null));
        //    A message of a type no consumer takes goes to <queue>_skipped; a full _skipped refuses it, and that is counted too.
        endpoint.ConfigureDeadLetter(deadLetter =>
        {
            deadLetter.UseFilter(new SinkRefusalFilter<ReceiveContext>(telemetry, "_skipped"));
            deadLetter.UseFilter(new DeadLetterTransportFilter());
        });

        // 3. Reading: publishers outside .NET send the bare JSON object (application/json); MassTransit's envelope stays
        //    the default.
        endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: false);

        // 4. The queue and how the endpoint holds its messages.
        if (rabbit is not null)
        {
            // No faults, neither to the addresses a publisher put in the envelope (NoRepliesFilter) nor published to the
            // fault exchanges: they carry stack traces.
            endpoint.PublishFaults = false;
            endpoint.UseFilter(new NoRepliesFilter<TMessage>());
            // A durable quorum queue with its delivery limit, dead-lettered to <QueueName>_dlq (RabbitMqTopology).
            rabbit.ConfigureConsumedQueue(Options, DeliveryLimit);
            rabbit.PrefetchCount = PrefetchCount;
            if (ConcurrentMessageLimit is { } limit)
            {
                // Stated on the endpoint as well: the quarantine's endpoint is declared by hand, not by ConfigureEndpoints.
                rabbit.ConcurrentMessageLimit = limit;
            }
            if (RedeliveredMessagesGoTo is { } forwardTo)
            {
                endpoint.UseFilter(new QuarantineRedeliveredFilter<TMessage>(forwardTo));
            }
        }
        else
        {
            endpoint.PrefetchCount = Options.PrefetchCount;
        }

        // 5. Retries. The store unreachable (a MongoDB failover, a lost connection: the store adapter's outage rule,
        //    StoreOutage): wait for it as long as it takes, holding the message unacknowledged. Moving it to the error
        //    queue would acknowledge it while readiness already says 503; stopping the host returns it to the queue.
        var outage = context.GetRequiredService<StoreOutage>();
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(outage.IsOutage);
            retry.Exponential(int.MaxValue, Options.RetryMinInterval, Options.RetryMaxInterval, Options.RetryIntervalDelta);
        });
        //    A refused event (MilestoneRejectedException) is refused again on every try: straight to the error queue. Any
        //    other failure of this message is retried with exponential backoff (Messaging:RetryLimit), then moved to the
        //    error queue.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<MilestoneRejectedException>();
            retry.Ignore<Exception>(outage.IsOutage);
            retry.Exponential(Options.RetryLimit, Options.RetryMinInterval, Options.RetryMaxInterval, Options.RetryIntervalDelta);
        });

        // 6. Test only, nothing unless a Testing: switch is set (refused in Production): crash the process on a given note.
        endpoint.UseTestingSwitches(testing);

        // 7. The consumer: it hands its event to the intake (RecordingIntake), which records whatever arrived meanwhile as
        //    one batch, applying each project's events in order; no partitioner by project is needed, and replicas among
        //    themselves are kept apart by the store's version check. A refusal is thrown as MilestoneRejectedException
        //    (InputRecording) and takes the error pipe of step 2.
    }

    /// <summary>
    /// The error pipe: the reason code of a refused or unreadable message goes into a header of its copy
    /// (<see cref="RejectionHeadersFilter"/>), an unreadable message is counted (<see cref="RejectionCountFilter"/>), and
    /// the message is moved to the error queue; a move the broker refuses (the bounded error queue is full) is counted
    /// (<see cref="SinkRefusalFilter{TContext}"/>) and the message stays in its queue.
    /// </summary>
    void ConfigureErrorPipe(IPipeConfigurator<ExceptionReceiveContext> error, bool faults)
    {
        error.UseFilter(new RejectionHeadersFilter());
        error.UseFilter(new RejectionCountFilter(telemetry));
        if (faults)
        {
            error.UseFilter(new GenerateFaultFilter());
        }
        error.UseFilter(new SinkRefusalFilter<ExceptionReceiveContext>(telemetry, "_error"));
        error.UseFilter(new ErrorTransportFilter());
    }
}
