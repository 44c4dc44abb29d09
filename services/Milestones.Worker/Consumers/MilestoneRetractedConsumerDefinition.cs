using MassTransit;
using Milestones.Contracts;
using Microsoft.Extensions.Options;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.Consumers;

/// <summary>
/// The retractions endpoint, <c>&lt;QueueName&gt;-retractions</c>: its own queue (a plain JSON body is read as the type its
/// endpoint consumes, so retractions cannot share the reports' queue), consumed one message at a time like the
/// quarantine: corrections are rare, and each reads the project's reports.
/// </summary>
public sealed class MilestoneRetractedConsumerDefinition : ConsumerDefinition<MilestoneRetractedConsumer>
{
    readonly MessagingOptions options;
    readonly TestingOptions testing;

    public MilestoneRetractedConsumerDefinition(IOptions<MessagingOptions> options, IOptions<TestingOptions> testing)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(testing);
        this.options = options.Value;
        this.testing = testing.Value;
        EndpointName = this.options.RetractionQueueName;
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<MilestoneRetractedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        MilestoneReachedPipeline.Configure<MilestoneRetractedConsumer, MilestoneRetracted>(endpointConfigurator, consumerConfigurator, options, testing, context.GetRequiredService<StoreOutage>(), quarantine: true);
}
