using MassTransit;
using MassTransit.Middleware;
using Milestones.Contracts;
using Milestones.Worker.Consumers;

namespace Milestones.Worker.Messaging;

/// <summary>The middleware in front of <see cref="MilestoneReachedConsumer"/>, on the input queue and on the quarantine queue.</summary>
public static class MilestoneReachedPipeline
{
    public static void Configure<TConsumer>(
        IReceiveEndpointConfigurator endpoint,
        IConsumerConfigurator<TConsumer> consumer,
        MessagingOptions options,
        TestingOptions testing,
        bool quarantine)
        where TConsumer : class
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(testing);

        // Publishers outside .NET send the bare JSON object (application/json); MassTransit's envelope stays the default.
        endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: false);
        // The reason code of a refused message goes into a header of its copy in the error queue.
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new RejectionHeadersFilter());
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });

        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
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
                    endpoint.UseFilter(new QuarantineRedeliveredFilter<MilestoneReached>(new Uri($"exchange:{options.QuarantineQueue()}")));
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
            retry.Handle<Exception>(StoreOutage.IsOutage);
            retry.Exponential(int.MaxValue, options.RetryMinInterval, options.RetryMaxInterval, options.RetryIntervalDelta);
        });
        // A refused event is refused again on every try: straight to the error queue. Any other failure of this
        // message is retried with exponential backoff, then dead-lettered.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<MilestoneRejectedException>();
            retry.Ignore<Exception>(StoreOutage.IsOutage);
            retry.Exponential(options.RetryLimit, options.RetryMinInterval, options.RetryMaxInterval, options.RetryIntervalDelta);
        });

        if (!string.IsNullOrEmpty(testing.CrashOnNote))
        {
            endpoint.UseFilter(new CrashOnNoteFilter(testing.CrashOnNote));
        }

        // No partitioner by project: inside a replica the recorder applies the events of a project one after the
        // other itself (MilestoneRecorder, ProjectHead), so a replica never loses a version race to itself, and with
        // the SQLite store the commits of one project's concurrent events still share a group commit instead of each
        // waiting for the previous one's disk write. Replicas among themselves are kept apart by the version check.
    }
}
