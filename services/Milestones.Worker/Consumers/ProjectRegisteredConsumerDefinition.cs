using Microsoft.Extensions.Options;
using Milestones.Contracts;
using Milestones.Worker.Messaging;
using Milestones.Worker.Telemetry;
using Milestones.Worker.Testing;

namespace Milestones.Worker.Consumers;

/// <summary>
/// The registrations' endpoint, <c>&lt;QueueName&gt;-registrations</c>, bound to <c>milestones.project-registered</c>: its
/// own queue (a plain JSON body is read as the type its endpoint consumes, so registrations cannot share another input's
/// queue), consumed one message at a time like the retractions: the catalog changes rarely, each registration may
/// recompute its project's completion, and one at a time a crash is charged to the message that caused it alone, without
/// a quarantine queue of its own. What happens to a message on it: <see cref="InputEndpointDefinition{TConsumer, TMessage}"/>.
/// </summary>
public sealed class ProjectRegisteredConsumerDefinition : InputEndpointDefinition<ProjectRegisteredConsumer, ProjectRegistered>
{
    public ProjectRegisteredConsumerDefinition(IOptions<MessagingOptions> options, MilestonesTelemetry telemetry, IOptions<TestingOptions> testing)
        : base(options, telemetry, testing)
    {
        EndpointName = Options.RegistrationQueueName;
        ConcurrentMessageLimit = 1;
    }

    /// <summary>One unacknowledged message at a time: a crash is charged to the message that caused it alone.</summary>
    protected override int PrefetchCount => 1;

    protected override int DeliveryLimit => Options.DeliveryLimit;
}
