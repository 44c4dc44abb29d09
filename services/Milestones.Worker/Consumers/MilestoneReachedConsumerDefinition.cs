using Microsoft.Extensions.Options;
using Milestones.Contracts;
using Milestones.Worker.Messaging;
using Milestones.Worker.Telemetry;
using Milestones.Worker.Testing;

namespace Milestones.Worker.Consumers;

/// <summary>
/// The reports' endpoint, <c>&lt;QueueName&gt;</c> (<c>milestones-worker</c>), bound to <c>milestones.milestone-reached</c>:
/// many messages at a time (<c>Messaging:ConcurrentMessageLimit</c>, <c>Messaging:PrefetchCount</c>), whose events the
/// intake records in batches. What happens to a message on it: <see cref="InputEndpointDefinition{TConsumer, TMessage}"/>.
/// </summary>
public sealed class MilestoneReachedConsumerDefinition : InputEndpointDefinition<MilestoneReachedConsumer, MilestoneReached>
{
    public MilestoneReachedConsumerDefinition(IOptions<MessagingOptions> options, MilestonesTelemetry telemetry, IOptions<TestingOptions> testing)
        : base(options, telemetry, testing)
    {
        EndpointName = Options.QueueName;
        ConcurrentMessageLimit = Options.ConcurrentMessageLimit;
    }

    protected override int PrefetchCount => Options.PrefetchCount;

    /// <summary>
    /// A crash counts a delivery against every message the replica holds, up to <see cref="PrefetchCount"/> that did nothing
    /// wrong; with the quarantine on, each is moved there on its next delivery, so this queue's limit is only a backstop
    /// (<c>Messaging:InputDeliveryLimit</c>). Without it, <c>Messaging:DeliveryLimit</c>.
    /// </summary>
    protected override int DeliveryLimit => Options.QuarantineRedeliveries ? Options.InputDeliveryLimit : Options.DeliveryLimit;

    /// <summary>
    /// With <c>Messaging:QuarantineRedeliveries</c> (the default), a redelivered report goes to the quarantine endpoint
    /// (<see cref="MilestoneReachedQuarantineDefinition"/>), where it is consumed alone.
    /// </summary>
    protected override Uri? RedeliveredMessagesGoTo => Options.QuarantineRedeliveries ? MilestoneReachedQuarantineDefinition.Address(Options) : null;
}
