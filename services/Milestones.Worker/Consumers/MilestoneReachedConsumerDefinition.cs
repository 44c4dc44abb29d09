using MassTransit;
using Milestones.Contracts;
using Microsoft.Extensions.Options;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.Consumers;

/// <summary>The input endpoint: its queue name and concurrency; the rest is <see cref="MilestoneReachedPipeline"/>.</summary>
public sealed class MilestoneReachedConsumerDefinition : ConsumerDefinition<MilestoneReachedConsumer>
{
    readonly MessagingOptions options;
    readonly TestingOptions testing;

    public MilestoneReachedConsumerDefinition(IOptions<MessagingOptions> options, IOptions<TestingOptions> testing)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(testing);
        this.options = options.Value;
        this.testing = testing.Value;
        EndpointName = this.options.QueueName;
        ConcurrentMessageLimit = this.options.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<MilestoneReachedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        MilestoneReachedPipeline.Configure<MilestoneReachedConsumer, MilestoneReached>(endpointConfigurator, consumerConfigurator, options, testing, context.GetRequiredService<StoreOutage>(), quarantine: false);
}
