using MassTransit;
using Milestones.Contracts;
using Microsoft.Extensions.Options;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.Consumers;

/// <summary>
/// The registrations' endpoint, <c>&lt;QueueName&gt;-registrations</c>: its own queue (a plain JSON body is read as the
/// type its endpoint consumes, so registrations cannot share another input's queue), consumed one message at a time
/// like the retractions: the catalog changes rarely, each registration may recompute its project's completion, and one
/// at a time a crash is charged to the message that caused it alone, without a quarantine queue of its own.
/// </summary>
public sealed class ProjectRegisteredConsumerDefinition : ConsumerDefinition<ProjectRegisteredConsumer>
{
    readonly MessagingOptions options;
    readonly TestingOptions testing;

    public ProjectRegisteredConsumerDefinition(IOptions<MessagingOptions> options, IOptions<TestingOptions> testing)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(testing);
        this.options = options.Value;
        this.testing = testing.Value;
        EndpointName = this.options.RegistrationQueueName;
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ProjectRegisteredConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        MilestoneReachedPipeline.Configure<ProjectRegisteredConsumer, ProjectRegistered>(endpointConfigurator, consumerConfigurator, options, testing, context.GetRequiredService<StoreOutage>(), quarantine: true);
}
