using Milestones.Contracts;
using Milestones.Worker.Messaging;
using Milestones.Worker.Messaging.RabbitMq;

namespace Milestones.Worker.Operations;

/// <summary>
/// The queues where the worker sets messages aside, from its configuration: for each input queue (milestones,
/// retractions, progress reports, registrations) MassTransit's <c>_error</c> (refused or unreadable) and <c>_skipped</c> (no consumer for the type); the
/// quarantine queue's own <c>_error</c> and <c>_skipped</c>; and the shared dead-letter queue <c>_dlq</c> (delivery limit
/// reached). Each has an exchange of the same name bound to it alone, which is where a message put back goes.
/// </summary>
public sealed record Sink(string Name, string InputExchange, bool DeadLetter)
{
    public static IReadOnlyList<Sink> All(MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var reached = WireNames.MilestoneReachedExchange;
        var retracted = WireNames.MilestoneRetractedExchange;
        var progress = WireNames.ProgressReportedExchange;
        var registered = WireNames.ProjectRegisteredExchange;
        return
        [
            new(options.QueueName + "_error", reached, false),
            new(options.QueueName + "_skipped", reached, false),
            new(options.QuarantineQueue() + "_error", reached, false),
            new(options.QuarantineQueue() + "_skipped", reached, false),
            new(options.RetractionQueueName + "_error", retracted, false),
            new(options.RetractionQueueName + "_skipped", retracted, false),
            new(options.ProgressQueueName + "_error", progress, false),
            new(options.ProgressQueueName + "_skipped", progress, false),
            new(options.RegistrationQueueName + "_error", registered, false),
            new(options.RegistrationQueueName + "_skipped", registered, false),
            new(options.DeadLetterQueue(), reached, true),
        ];
    }

    /// <summary>
    /// The input exchange a message of this queue came from. The dead-letter queue serves every input queue: there the
    /// broker's <c>x-death</c> header names the queue it was dead-lettered from.
    /// </summary>
    public string InputExchangeOf(SinkMessage message, MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        if (!DeadLetter || message.DeadLetteredFrom is not { } from)
        {
            return InputExchange;
        }
        return from.StartsWith(options.RetractionQueueName, StringComparison.Ordinal) ? WireNames.MilestoneRetractedExchange
            : from.StartsWith(options.ProgressQueueName, StringComparison.Ordinal) ? WireNames.ProgressReportedExchange
            : from.StartsWith(options.RegistrationQueueName, StringComparison.Ordinal) ? WireNames.ProjectRegisteredExchange
            : InputExchange;
    }
}
