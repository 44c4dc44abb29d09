using System.Runtime.Serialization;
using System.Text.Json;
using MassTransit;

namespace Milestones.Worker.Messaging;

/// <summary>
/// Runs in the error pipe before the message is moved to the error queue: adds the reason code of a refused or
/// unreadable message as <see cref="MilestonesHeaders.RejectionReason"/> to the headers the error transport copies.
/// </summary>
public sealed class RejectionHeadersFilter : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (ReasonOf(context.Exception) is { } reason)
        {
            context.ExceptionHeaders.Set(MilestonesHeaders.RejectionReason, reason);
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("milestonesRejectionHeaders");

    static string? ReasonOf(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case MilestoneRejectedException rejected:
                    return rejected.Rejection.Code;
                case SerializationException or JsonException:
                    return MilestonesHeaders.MalformedMessage;
            }
        }
        return null;
    }
}
