using MassTransit;
using Milestones.Contracts;
using Microsoft.Extensions.Options;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.Consumers;

/// <summary>
/// The progress reports' endpoint, <c>&lt;QueueName&gt;-progress</c>: its own queue (a plain JSON body is read as the
/// type its endpoint consumes, so progress reports cannot share another input's queue), consumed one message at a time
/// like the retractions: a target's value is measured days or weeks apart, not streamed, and one at a time a crash is
/// charged to the message that caused it alone, without a quarantine queue of its own.
/// </summary>
public sealed class ProgressReportedConsumerDefinition : ConsumerDefinition<ProgressReportedConsumer>
{
    readonly MessagingOptions options;
    readonly TestingOptions testing;

    public ProgressReportedConsumerDefinition(IOptions<MessagingOptions> options, IOptions<TestingOptions> testing)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(testing);
        this.options = options.Value;
        this.testing = testing.Value;
        EndpointName = this.options.ProgressQueueName;
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ProgressReportedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        MilestoneReachedPipeline.Configure<ProgressReportedConsumer, ProgressReported>(endpointConfigurator, consumerConfigurator, options, testing, context.GetRequiredService<StoreOutage>(), quarantine: true);
}
