using System.Diagnostics;
using MassTransit;
using Milestones.Contracts;
using Milestones.Domain.Recording;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.Consumers;

/// <summary>
/// Records a catalog registration from the registrar: the entry is in force in this replica's catalog once recorded, and a
/// completion or reopening the amended plan causes is published by the outbox dispatcher.
/// </summary>
public sealed class ProjectRegisteredConsumer(RecordingIntake intake, InputRecording recording, ILogger<ProjectRegisteredConsumer> logger)
    : IConsumer<ProjectRegistered>
{
    public async Task Consume(ConsumeContext<ProjectRegistered> context)
    {
        var started = Stopwatch.GetTimestamp();
        var message = context.Message;
        using var activity = recording.StartSpan(message);
        var (source, unidentified) = recording.Identify(context, message.SourceSystem);
        var outcome = unidentified is null
            ? await intake.Record(RecordRequest.Of(message.ToDomain(source)), context.CancellationToken)
            : RecordOutcome.Rejected(unidentified);
        recording.Conclude(logger, activity, outcome, message.EventId, message.Project?.Id, source, started);
    }
}
