using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.Consumers;

/// <summary>The input endpoint: its queue name, prefetch and concurrency, and which failures are retried.</summary>
public sealed class MilestoneReachedConsumerDefinition : ConsumerDefinition<MilestoneReachedConsumer>
{
    readonly MessagingOptions options;

    public MilestoneReachedConsumerDefinition(IOptions<MessagingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        EndpointName = this.options.QueueName;
        ConcurrentMessageLimit = this.options.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<MilestoneReachedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = options.PrefetchCount;
        // A refused event is refused again on every try: straight to the error queue. Anything else (the store
        // unavailable, a lost version race) is transient: retried with backoff, and only then dead-lettered.
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Ignore<MilestoneRejectedException>();
            retry.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
        });
    }
}
