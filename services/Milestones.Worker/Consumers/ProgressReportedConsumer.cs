using System.Diagnostics;
using MassTransit;
using Milestones.Contracts;
using Milestones.Domain.Recording;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.Consumers;

/// <summary>Records a progress report; a target met or a completion it causes is published by the outbox dispatcher.</summary>
public sealed class ProgressReportedConsumer(RecordingIntake intake, InputRecording recording, ILogger<ProgressReportedConsumer> logger)
    : IConsumer<ProgressReported>
{
    public async Task Consume(ConsumeContext<ProgressReported> context)
    {
        var started = Stopwatch.GetTimestamp();
        var message = context.Message;
        using var activity = recording.StartSpan(message);
        var (source, unidentified) = recording.Identify(context, message.SourceSystem);
        var outcome = unidentified is null
            ? await intake.Record(RecordRequest.Of(message.ToDomain(source)), context.CancellationToken)
            : RecordOutcome.Rejected(unidentified);
        recording.Conclude(logger, activity, outcome, message.EventId, message.ProjectId, source, started);
    }
}
