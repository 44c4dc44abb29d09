using Microsoft.Extensions.Options;
using Milestones.Contracts;
using Milestones.Worker.Messaging;
using Milestones.Worker.Telemetry;
using Milestones.Worker.Testing;

namespace Milestones.Worker.Consumers;

/// <summary>
/// The progress reports' endpoint, <c>&lt;QueueName&gt;-progress</c>, bound to <c>milestones.progress-reported</c>: its own
/// queue (a plain JSON body is read as the type its endpoint consumes, so progress reports cannot share another input's
/// queue), consumed one message at a time like the retractions: a target's value is measured days or weeks apart, not
/// streamed, and one at a time a crash is charged to the message that caused it alone, without a quarantine queue of its
/// own. What happens to a message on it: <see cref="InputEndpointDefinition{TConsumer, TMessage}"/>.
/// </summary>
public sealed class ProgressReportedConsumerDefinition : InputEndpointDefinition<ProgressReportedConsumer, ProgressReported>
{
    public ProgressReportedConsumerDefinition(IOptions<MessagingOptions> options, MilestonesTelemetry telemetry, IOptions<TestingOptions> testing)
        : base(options, telemetry, testing)
    {
        EndpointName = Options.ProgressQueueName;
        ConcurrentMessageLimit = 1;
    }

    /// <summary>One unacknowledged message at a time: a crash is charged to the message that caused it alone.</summary>
    protected override int PrefetchCount => 1;

    protected override int DeliveryLimit => Options.DeliveryLimit;
}
