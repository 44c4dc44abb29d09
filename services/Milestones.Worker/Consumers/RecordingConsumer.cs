using System.Diagnostics;
using MassTransit;
using Milestones.Domain.Recording;

namespace Milestones.Worker.Consumers;

/// <summary>
/// Records one inbound message through the intake: a span, the sender from the broker identity (never only the name in
/// the body), the message as the domain's input, and one log line and metric per outcome. A refusal or failure is thrown
/// by <see cref="InputRecording.Conclude"/> for the endpoint's middleware to route. Each inbound message type has a
/// consumer that says only how to read that message.
/// </summary>
public abstract class RecordingConsumer<TMessage>(RecordingIntake intake, InputRecording recording, ILogger logger) : IConsumer<TMessage>
    where TMessage : class
{
    public async Task Consume(ConsumeContext<TMessage> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = Stopwatch.GetTimestamp();
        var message = context.Message;
        using var activity = StartSpan(recording, message);
        var (source, unidentified) = recording.Identify(context, ClaimedSource(message));
        var outcome = unidentified is null
            ? await intake.Record(ToRequest(message, source), context.CancellationToken)
            : RecordOutcome.Rejected(unidentified);
        recording.Conclude(logger, activity, outcome, EventId(message), ProjectId(message), source, started);
    }

    /// <summary>The span around recording it, with the message's bounded attributes.</summary>
    protected abstract Activity? StartSpan(InputRecording spans, TMessage message);

    /// <summary>The sender the body names, if any; it must be the broker identity.</summary>
    protected abstract string? ClaimedSource(TMessage message);

    /// <summary>The domain's input, from the sender the broker proved.</summary>
    protected abstract RecordRequest ToRequest(TMessage message, string source);

    protected abstract Guid EventId(TMessage message);

    protected abstract string? ProjectId(TMessage message);
}
