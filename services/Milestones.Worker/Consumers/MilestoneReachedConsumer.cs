using System.Diagnostics;
using MassTransit;
using Milestones.Contracts;
using Milestones.Domain.Recording;
using Milestones.Worker.Messaging;
using Milestones.Worker.Outbox;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Consumers;

/// <summary>Records a reported milestone; a completion it causes is published by the outbox dispatcher.</summary>
public sealed partial class MilestoneReachedConsumer(
    MilestoneRecorder recorder,
    OutboxSignal outbox,
    MilestonesTelemetry telemetry,
    ILogger<MilestoneReachedConsumer> logger) : IConsumer<MilestoneReached>
{
    public async Task Consume(ConsumeContext<MilestoneReached> context)
    {
        var started = Stopwatch.GetTimestamp();
        var message = context.Message;
        using var activity = MilestonesTracing.StartRecord(message);
        var source = new KeyValuePair<string, object?>("source_system", message.SourceSystem);
        telemetry.Consumed.Add(1, source);

        var outcome = await recorder.Record(message.ToDomain(), context.CancellationToken);
        telemetry.ProcessingDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        activity.SetOutcome(outcome);

        switch (outcome.Status)
        {
            case RecordStatus.Rejected:
                telemetry.Rejected.Add(1, source, new("reason", outcome.Rejection!.Code));
                LogRejected(message.EventId, message.ProjectId, outcome.Rejection.Code, outcome.Rejection.Message);
                throw new MilestoneRejectedException(outcome.Rejection);
            case RecordStatus.Duplicate:
                telemetry.Duplicates.Add(1, source);
                LogDuplicate(message.EventId, message.ProjectId);
                break;
            default:
                telemetry.Applied.Add(1, source);
                LogRecorded(message.EventId, message.ProjectId, message.MilestoneCode);
                if (outcome.Completion is { } completion)
                {
                    LogCompleted(message.ProjectId, completion.CompletionNumber, message.EventId);
                    outbox.Notify();
                }
                break;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Rejected event {EventId} for project {ProjectId}: {Reason}: {Detail}")]
    partial void LogRejected(Guid eventId, string? projectId, string reason, string detail);

    [LoggerMessage(LogLevel.Debug, "Event {EventId} for project {ProjectId} was already recorded")]
    partial void LogDuplicate(Guid eventId, string? projectId);

    // Debug: one line per event at thousands of events a second costs more than the recording itself, and the
    // record is in the store (GET /projects/{id}/events) and in the traces and metrics.
    [LoggerMessage(LogLevel.Debug, "Recorded {MilestoneCode} of project {ProjectId} from event {EventId}")]
    partial void LogRecorded(Guid eventId, string projectId, string milestoneCode);

    [LoggerMessage(LogLevel.Information, "Project {ProjectId} completed (completion {CompletionNumber}) with event {EventId}")]
    partial void LogCompleted(string projectId, int completionNumber, Guid eventId);
}
