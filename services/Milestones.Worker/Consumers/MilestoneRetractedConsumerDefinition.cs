using Microsoft.Extensions.Options;
using Milestones.Contracts;
using Milestones.Worker.Messaging;
using Milestones.Worker.Telemetry;
using Milestones.Worker.Testing;

namespace Milestones.Worker.Consumers;

/// <summary>
/// The retractions' endpoint, <c>&lt;QueueName&gt;-retractions</c>, bound to <c>milestones.milestone-retracted</c>: its own
/// queue (a plain JSON body is read as the type its endpoint consumes, so retractions cannot share the reports' queue),
/// consumed one message at a time like the quarantine: corrections are rare, and each reads the project's reports. What
/// happens to a message on it: <see cref="InputEndpointDefinition{TConsumer, TMessage}"/>.
/// </summary>
public sealed class MilestoneRetractedConsumerDefinition : InputEndpointDefinition<MilestoneRetractedConsumer, MilestoneRetracted>
{
    public MilestoneRetractedConsumerDefinition(IOptions<MessagingOptions> options, MilestonesTelemetry telemetry, IOptions<TestingOptions> testing)
        : base(options, telemetry, testing)
    {
        EndpointName = Options.RetractionQueueName;
        ConcurrentMessageLimit = 1;
    }

    /// <summary>One unacknowledged message at a time: a crash is charged to the message that caused it alone.</summary>
    protected override int PrefetchCount => 1;

    protected override int DeliveryLimit => Options.DeliveryLimit;
}
