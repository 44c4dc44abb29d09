using System.Runtime.Serialization;
using System.Text.Json;
using MassTransit;

namespace Milestones.Worker.Messaging.InputEndpoints;

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
        if (ReasonOf(context) is { } reason)
        {
            context.ExceptionHeaders.Set(MilestonesHeaders.RejectionReason, reason);
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("milestonesRejectionHeaders");

    /// <summary>The content types the input endpoints read: plain JSON and MassTransit's envelope.</summary>
    static readonly string[] ReadContentTypes = ["application/json", "application/vnd.masstransit+json"];

    /// <summary>
    /// The reason code of a refused or unreadable message, null for a failure that is not the message's fault. A body
    /// that could not be read and came without a content type the endpoint reads is <c>unsupported-content-type</c>
    /// (MassTransit tries its envelope reader on it, which fails): the content type is what the publisher must fix.
    /// </summary>
    internal static string? ReasonOf(ExceptionReceiveContext context)
    {
        var reason = ReasonOf(context.Exception);
        if (reason != MilestonesHeaders.MalformedMessage)
        {
            return reason;
        }
        var contentType = context.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) ? rabbit.Properties.ContentType : context.ContentType?.MediaType;
        var mediaType = contentType?.Split(';', 2)[0].Trim();
        return ReadContentTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase) ? reason : MilestonesHeaders.UnsupportedContentType;
    }

    /// <summary>The reason code a failure itself says; null for a failure that is not the message's fault.</summary>
    internal static string? ReasonOf(Exception? exception)
    {
        foreach (var current in exception.AndInner())
        {
            switch (current)
            {
                case MilestoneRejectedException rejected:
                    return rejected.Rejection.Code;
                case MessageTooLargeException:
                    return MilestonesHeaders.TooLarge;
                case SerializationException or JsonException:
                    return MilestonesHeaders.MalformedMessage;
            }
        }
        return null;
    }

    /// <summary>An event the consumer read and refused (and counted itself), as opposed to a message that could not be read.</summary>
    internal static bool IsRefusedEvent(Exception? exception) => exception.AndInner().OfType<MilestoneRejectedException>().Any();
}
