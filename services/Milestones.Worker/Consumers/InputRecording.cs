using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Contracts;
using Milestones.Domain.Recording;
using Milestones.Domain.Validation;
using Milestones.Worker.Messaging;
using Milestones.Worker.Messaging.InputEndpoints;
using Milestones.Worker.Outbox;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Consumers;

/// <summary>
/// What the input consumers share: who sent the message (its broker identity, not a name in the body), and what each
/// outcome does: metrics, the log line in the consumer's own category, the outbox woken for an announcement, and a
/// refusal thrown so that the message goes to the error queue with its reason.
/// </summary>
public sealed partial class InputRecording(
    OutboxSignal outbox,
    RecorderOptions recorder,
    MilestonesTelemetry telemetry,
    IOptions<MessagingOptions> options)
{
    /// <summary>The span around recording a report, with bounded attributes.</summary>
    public Activity? StartSpan(MilestoneReached message) => MilestonesTracing.StartRecord(message, telemetry);

    /// <summary>The span around recording a retraction, with bounded attributes.</summary>
    public Activity? StartSpan(MilestoneRetracted message) => MilestonesTracing.StartRetract(message, telemetry);

    /// <summary>The span around recording a progress report, with bounded attributes.</summary>
    public Activity? StartSpan(ProgressReported message) => MilestonesTracing.StartProgress(message, telemetry);

    /// <summary>The span around recording a catalog registration, with bounded attributes.</summary>
    public Activity? StartSpan(ProjectRegistered message) => MilestonesTracing.StartRegister(message, telemetry);

    /// <summary>The source of the message, or why it cannot have one (<c>unauthenticated-source</c>, <c>source-mismatch</c>).</summary>
    public (string Source, Rejection? Rejection) Identify(ConsumeContext context, string? claimedSource) =>
        PublisherIdentity.Resolve(claimedSource, context.AuthenticatedPublisher(), options.Value.RequirePublisherIdentity);

    /// <summary>Counts, logs and traces the outcome; throws <see cref="MilestoneRejectedException"/> for a refusal.</summary>
    public void Conclude(ILogger logger, Activity? activity, RecordOutcome outcome, Guid eventId, string? projectId, string source, long startedTimestamp)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        // Known sources only: a tag per name a publisher made up would be a metric series per name.
        var sourceTag = new KeyValuePair<string, object?>(MilestonesTelemetry.SourceSystemTag, telemetry.SourceTag(source));
        telemetry.Consumed.Add(1, sourceTag);
        telemetry.ProcessingDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);
        activity.SetOutcome(outcome);

        switch (outcome.Status)
        {
            case RecordStatus.Rejected:
                telemetry.Rejected.Add(1, sourceTag, new(MilestonesTelemetry.ReasonTag, outcome.Rejection!.Code));
                LogRejected(logger, eventId, telemetry.ProjectTag(projectId), outcome.Rejection.Code, outcome.Rejection.Message);
                throw new MilestoneRejectedException(outcome.Rejection);
            case RecordStatus.Duplicate:
                telemetry.Duplicates.Add(1, sourceTag);
                LogDuplicate(logger, eventId, projectId);
                break;
            default:
                telemetry.Applied.Add(1, sourceTag);
                LogRecorded(logger, eventId, projectId);
                if (outcome.Completion is { } completion)
                {
                    LogCompleted(logger, completion.ProjectId, completion.CompletionNumber, eventId);
                }
                if (outcome.Reopening is { } reopening)
                {
                    LogReopened(logger, reopening.ProjectId, reopening.ReopenNumber, eventId,
                        string.Join(", ", [.. reopening.MissingMilestones, .. reopening.UnmetTargets]));
                }
                // Anything announced (a completion, a reopening, a target met) and the feed's MilestoneRecorded, when
                // it is on, are in the outbox now: wake the dispatcher rather than wait for its next poll.
                if (outcome.Announcements.Count > 0 || recorder.PublishRecorded)
                {
                    outbox.Notify();
                }
                break;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Rejected event {EventId} for project {ProjectId}: {Reason}: {Detail}")]
    static partial void LogRejected(ILogger logger, Guid eventId, string projectId, string reason, string detail);

    [LoggerMessage(LogLevel.Debug, "Event {EventId} for project {ProjectId} was already recorded")]
    static partial void LogDuplicate(ILogger logger, Guid eventId, string? projectId);

    // Debug: one line per event, at the rates a replica records (docs/benchmarks.md), costs more than the recording
    // itself, and the record is in the store (GET /projects/{id}/events) and in the traces and metrics.
    [LoggerMessage(LogLevel.Debug, "Recorded event {EventId} of project {ProjectId}")]
    static partial void LogRecorded(ILogger logger, Guid eventId, string? projectId);

    [LoggerMessage(LogLevel.Information, "Project {ProjectId} completed (completion {CompletionNumber}) with event {EventId}")]
    static partial void LogCompleted(ILogger logger, string projectId, int completionNumber, Guid eventId);

    [LoggerMessage(LogLevel.Warning, "Project {ProjectId} reopened (reopening {ReopenNumber}) by event {EventId}; missing {Missing}")]
    static partial void LogReopened(ILogger logger, string projectId, int reopenNumber, Guid eventId, string missing);
}
