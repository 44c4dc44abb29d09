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

    /// <summary>The reason code of a refused or unreadable message; null for a failure that is not the message's fault.</summary>
    internal static string? ReasonOf(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case MilestoneRejectedException rejected:
                    return rejected.Rejection.Code;
                case MessageTooLargeException:
                    return MilestonesHeaders.TooLarge;
                case SerializationException when IsUnsupportedContentType(current):
                    return MilestonesHeaders.UnsupportedContentType;
                case SerializationException or JsonException:
                    return MilestonesHeaders.MalformedMessage;
            }
        }
        return null;
    }

    /// <summary>An event the consumer read and refused (and counted itself), as opposed to a message that could not be read.</summary>
    internal static bool IsRefusedEvent(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is MilestoneRejectedException)
            {
                return true;
            }
        }
        return false;
    }

    // MassTransit's words when no deserializer of the endpoint takes the message's content type.
    static bool IsUnsupportedContentType(Exception exception) =>
        exception.Message.Contains("No deserializer", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("content type", StringComparison.OrdinalIgnoreCase);
}
