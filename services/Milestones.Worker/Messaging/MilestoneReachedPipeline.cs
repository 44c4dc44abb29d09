using MassTransit;
using MassTransit.Middleware;
using Milestones.Contracts;
using Milestones.Worker.Consumers;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Messaging;

/// <summary>The middleware in front of <see cref="MilestoneReachedConsumer"/>, on the input queue and on the quarantine queue.</summary>
public static class MilestoneReachedPipeline
{
    /// <summary>
    /// What an input endpoint does with hostile or unreadable input, before and after the consumer:
    /// <list type="bullet">
    /// <item>a body over <see cref="MessagingOptions.MaxMessageBodySize"/> is refused by <see cref="MessageSizeFilter"/>
    /// before it is deserialized; the filter sits in front of MassTransit's own rescue, so it has a rescue of its own
    /// that hands the refusal to the same error pipe;</item>
    /// <item>the error pipe puts the reason code in a header (<see cref="RejectionHeadersFilter"/>), counts unreadable
    /// messages (<see cref="RejectionCountFilter"/>) and moves the message to the error queue; a move the broker refuses
    /// (the bounded error queue is full) is counted (<see cref="SinkRefusalFilter{TContext}"/>) and the message stays;</item>
    /// <item>on the broker (the public endpoint) it sends no <c>Fault</c>: MassTransit's fault would go to the
    /// <c>faultAddress</c> or <c>responseAddress</c> a publisher wrote into the envelope, or be published to anyone
    /// bound to the fault exchange, with the exception's stack trace. The error queue's copy and its headers are the
    /// record. The in-memory bus (development, the demo, the test harness) is private to the process and keeps them.</item>
    /// </list>
    /// </summary>
    public static void ConfigureInput(IReceiveEndpointConfigurator endpoint, MessagingOptions options, MilestonesTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(telemetry);
        var publicEndpoint = endpoint is IRabbitMqReceiveEndpointConfigurator;
        endpoint.ConfigureError(error => ConfigureErrorPipe(error, telemetry, faults: !publicEndpoint));
        // A message of a type no consumer takes goes to _skipped; a full _skipped refuses it, and that is counted too.
        endpoint.ConfigureDeadLetter(deadLetter =>
        {
            deadLetter.UseFilter(new SinkRefusalFilter<ReceiveContext>(telemetry, "_skipped"));
            deadLetter.UseFilter(new DeadLetterTransportFilter());
        });
        var refusedBeforeReading = Pipe.New<ExceptionReceiveContext>(error => ConfigureErrorPipe(error, telemetry, faults: false));
        endpoint.ConfigureReceive(receive =>
        {
            receive.UseRescue(refusedBeforeReading, rescue => rescue.Handle<MessageTooLargeException>());
            receive.UseFilter(new MessageSizeFilter(options.MaxMessageBodySize));
        });
    }

    static void ConfigureErrorPipe(IPipeConfigurator<ExceptionReceiveContext> error, MilestonesTelemetry telemetry, bool faults)
    {
        // The reason code of a refused message goes into a header of its copy in the error queue.
        error.UseFilter(new RejectionHeadersFilter());
        error.UseFilter(new RejectionCountFilter(telemetry));
        if (faults)
        {
            error.UseFilter(new GenerateFaultFilter());
        }
        // A full error queue refuses the move: counted, and the message stays in its input queue (SinkRefusalFilter).
        error.UseFilter(new SinkRefusalFilter<ExceptionReceiveContext>(telemetry, "_error"));
        error.UseFilter(new ErrorTransportFilter());
    }

    public static void Configure<TConsumer, TMessage>(
        IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<TConsumer> consumer,
        MessagingOptions options,
        TestingOptions testing,
        StoreOutage outage,
        bool quarantine)
        where TConsumer : class, IConsumer<TMessage>
        where TMessage : class
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(testing);
        ArgumentNullException.ThrowIfNull(outage);

        // Publishers outside .NET send the bare JSON object (application/json); MassTransit's envelope stays the default.
        endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: false);
        // The error pipe and the size limit: ConfigureInput, applied to the input endpoint by the bus registration
        // (it needs the telemetry) and to the quarantine endpoint where that is declared.
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            // The public endpoint sends no faults, neither to the addresses a publisher put in the envelope nor
            // published to the fault exchanges: they carry stack traces (see ConfigureInput).
            endpoint.PublishFaults = false;
            endpoint.UseFilter(new NoRepliesFilter<TMessage>());
            rabbit.ConfigureConsumedQueue(options, quarantine);
            if (quarantine)
            {
                // One unacknowledged message at a time: a crash is charged to the message that caused it alone.
                rabbit.PrefetchCount = 1;
                rabbit.ConcurrentMessageLimit = 1;
            }
            else
            {
                rabbit.PrefetchCount = options.PrefetchCount;
                if (options.QuarantineRedeliveries)
                {
                    // To the quarantine endpoint's exchange: a queue: address would make MassTransit declare the queue
                    // without its dead-letter arguments, which the broker refuses as inequivalent.
                    endpoint.UseFilter(new QuarantineRedeliveredFilter<TMessage>(new Uri($"exchange:{options.QuarantineQueue()}")));
                }
            }
        }
        else
        {
            endpoint.PrefetchCount = options.PrefetchCount;
        }

        // The store unreachable (a MongoDB failover, a lost connection): wait for it as long as it takes, holding the
        // message unacknowledged. Moving it to the error queue would acknowledge it while readiness already says 503;
        // stopping the host returns it to the queue.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(outage.IsOutage);
            retry.Exponential(int.MaxValue, options.RetryMinInterval, options.RetryMaxInterval, options.RetryIntervalDelta);
        });
        // A refused event is refused again on every try: straight to the error queue. Any other failure of this
        // message is retried with exponential backoff, then dead-lettered.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<MilestoneRejectedException>();
            retry.Ignore<Exception>(outage.IsOutage);
            retry.Exponential(options.RetryLimit, options.RetryMinInterval, options.RetryMaxInterval, options.RetryIntervalDelta);
        });

        if (!string.IsNullOrEmpty(testing.CrashOnNote))
        {
            endpoint.UseFilter(new CrashOnNoteFilter(testing.CrashOnNote, afterRecording: false));
        }
        if (!string.IsNullOrEmpty(testing.CrashAfterRecordingNote))
        {
            endpoint.UseFilter(new CrashOnNoteFilter(testing.CrashAfterRecordingNote, afterRecording: true));
        }

        // No partitioner by project: the consumers hand their events to the intake (RecordingIntake), which records
        // whatever arrived meanwhile as one batch, applying each project's events in order; replicas among themselves
        // are kept apart by the store's version check.
    }
}
