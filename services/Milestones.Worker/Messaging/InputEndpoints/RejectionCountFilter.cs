using MassTransit;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Messaging.InputEndpoints;

/// <summary>
/// Runs in the error pipe: counts a message that could not be read at all (too large, not JSON, a wrong type, a
/// content type no deserializer reads) in <c>milestones.events.rejected</c> with its reason code. Events the consumer
/// refused are counted by the consumer, which knows more about them, and are left alone here. Nothing of the
/// message is used as a tag: the source is the broker's authenticated <c>user_id</c>, and only when the catalog knows
/// it (<see cref="MilestonesTelemetry.SourceTag"/>).
/// </summary>
public sealed class RejectionCountFilter(MilestonesTelemetry telemetry) : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (RejectionHeadersFilter.ReasonOf(context) is { } reason && !RejectionHeadersFilter.IsRefusedEvent(context.Exception))
        {
            var user = context.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) ? rabbit.Properties.UserId : null;
            telemetry.Rejected.Add(1, new(MilestonesTelemetry.SourceSystemTag, telemetry.SourceTag(user)), new(MilestonesTelemetry.ReasonTag, reason));
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("milestonesRejectionCount");
}
