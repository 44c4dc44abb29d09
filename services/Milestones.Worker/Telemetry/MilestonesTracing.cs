using System.Diagnostics;
using Milestones.Contracts;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Telemetry;

/// <summary>The service's own spans: their names, attributes, and how their parents are chosen.</summary>
public static class MilestonesTracing
{
    public const string RecordSpan = "milestone record";
    public const string RecordBatchSpan = "milestone batch";
    public const string OutboxDispatchSpan = "outbox dispatch";
    public const string OutboxPublishSpan = "outbox publish";

    public const string ProjectIdTag = "milestones.project_id";
    public const string MilestoneCodeTag = "milestones.milestone_code";
    public const string EventIdTag = "milestones.event_id";
    public const string SourceSystemTag = "milestones.source_system";
    public const string OutcomeTag = "milestones.outcome";
    public const string RejectionReasonTag = "milestones.rejection_reason";
    public const string ProjectCompletedTag = "milestones.project_completed";
    public const string CompletionNumberTag = "milestones.completion_number";
    public const string ReopenNumberTag = "milestones.reopen_number";
    public const string RetractedEventIdTag = "milestones.retracted_event_id";
    public const string MetricTag = "milestones.metric";
    public const string RevisionTag = "milestones.revision";
    public const string MessageTypeTag = "messaging.message.type";
    public const string BatchSizeTag = "milestones.outbox.batch_size";
    public const string RecordBatchSizeTag = "milestones.batch_size";
    public const string MessageIdTag = "messaging.message.id";

    static ActivitySource Source => MilestonesTelemetry.ActivitySource;

    /// <summary>
    /// The span around recording one event, a child of MassTransit's consume span. Its attributes are bounded before
    /// they are set: the project as <see cref="MilestonesTelemetry.ProjectTag"/> (a catalog project or <c>unknown</c>),
    /// the source as <see cref="MilestonesTelemetry.SourceTag"/>, the milestone code clipped
    /// (<see cref="MilestonesTelemetry.Clip"/>); the event id is a Guid.
    /// </summary>
    public static Activity? StartRecord(MilestoneReached message, MilestonesTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(message);
        return StartInput(telemetry, message.ProjectId, message.EventId, message.SourceSystem, MilestoneCodeTag, MilestonesTelemetry.Clip(message.MilestoneCode));
    }

    /// <summary>The span around recording one retraction, a child of MassTransit's consume span; bounded like <see cref="StartRecord"/>.</summary>
    public static Activity? StartRetract(MilestoneRetracted message, MilestonesTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(message);
        return StartInput(telemetry, message.ProjectId, message.EventId, message.SourceSystem, RetractedEventIdTag, message.RetractedEventId.ToString());
    }

    /// <summary>The span around recording one progress report, a child of MassTransit's consume span; bounded like <see cref="StartRecord"/>.</summary>
    public static Activity? StartProgress(ProgressReported message, MilestonesTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(message);
        return StartInput(telemetry, message.ProjectId, message.EventId, message.SourceSystem, MetricTag, MilestonesTelemetry.Clip(message.Metric));
    }

    /// <summary>
    /// The span around recording one catalog registration; bounded like <see cref="StartRecord"/>: a project the catalog
    /// does not know yet (a new registration) is <c>unknown</c> until it is registered.
    /// </summary>
    public static Activity? StartRegister(ProjectRegistered message, MilestonesTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(message);
        return StartInput(telemetry, message.Project?.Id, message.EventId, message.SourceSystem, RevisionTag, message.Revision);
    }

    /// <summary>The record span of one inbound message: its project and source bounded, its id, and one tag of its kind.</summary>
    static Activity? StartInput(MilestonesTelemetry telemetry, string? projectId, Guid eventId, string? sourceSystem, string kindTag, object? kindValue)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        var activity = Source.StartActivity(RecordSpan);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ProjectIdTag, telemetry.ProjectTag(projectId));
            activity.SetTag(kindTag, kindValue);
            activity.SetTag(EventIdTag, eventId.ToString());
            activity.SetTag(SourceSystemTag, telemetry.SourceTag(sourceSystem));
        }
        return activity;
    }

    /// <summary>
    /// The span around recording one batch of inputs (and its store calls). The inputs came from many traces, one per
    /// message, so the batch starts a trace of its own and links to each input's span, as the outbox dispatch does.
    /// </summary>
    public static Activity? StartRecordBatch(IEnumerable<ActivityContext> inputs, int size)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var links = inputs.Where(context => context != default).Select(context => new ActivityLink(context)).ToList();
        var activity = Source.StartActivity(RecordBatchSpan, ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag(RecordBatchSizeTag, size);
        return activity;
    }

    /// <summary>Applied, duplicate or rejected; a rejection marks the span as failed with its reason code.</summary>
    public static void SetOutcome(this Activity? activity, RecordOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (activity is null)
        {
            return;
        }
        activity.SetTag(OutcomeTag, outcome.Status switch
        {
            RecordStatus.Applied => "applied",
            RecordStatus.Duplicate => "duplicate",
            RecordStatus.Rejected => "rejected",
            _ => "failed",
        });
        if (outcome.Completion is not null)
        {
            activity.SetTag(ProjectCompletedTag, true);
        }
        if (outcome.Rejection is { } rejection)
        {
            activity.SetTag(RejectionReasonTag, rejection.Code);
            activity.SetStatus(ActivityStatusCode.Error, rejection.Code);
        }
    }

    /// <summary>
    /// The span around publishing one claimed batch. The entries were written by other traces (one per event), so the
    /// batch starts a trace of its own and links to theirs; only batches that publish something get a span, so idle
    /// polls leave no traces.
    /// </summary>
    public static Activity? StartOutboxDispatch(IReadOnlyCollection<OutboxEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var links = entries
            .Select(entry => TryParseTraceParent(entry.TraceParent, out var context) ? new ActivityLink(context) : default)
            .Where(link => link.Context != default)
            .ToList();
        var activity = Source.StartActivity(OutboxDispatchSpan, ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag(BatchSizeTag, entries.Count);
        return activity;
    }

    /// <summary>
    /// The span around publishing one entry. Its parent is the span that committed the entry (from the stored
    /// <c>traceparent</c>), so the publish of <c>ProjectCompleted</c> (MassTransit's send span, a child of this one)
    /// belongs to the trace of the event that completed the project. It links back to the dispatch batch.
    /// </summary>
    public static Activity? StartOutboxPublish(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var batch = Activity.Current;
        var parent = TryParseTraceParent(entry.TraceParent, out var stored) ? stored : batch?.Context ?? default;
        ActivityLink[]? links = batch is not null && parent != batch.Context ? [new ActivityLink(batch.Context)] : null;
        var activity = Source.StartActivity(OutboxPublishSpan, ActivityKind.Internal, parent, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            // Written by the recorder for a catalog project only; clipped all the same.
            activity.SetTag(ProjectIdTag, MilestonesTelemetry.Clip(entry.ProjectId));
            switch (entry.Message)
            {
                case ProjectCompletion completion:
                    activity.SetTag(CompletionNumberTag, completion.CompletionNumber);
                    break;
                case ProjectReopening reopening:
                    activity.SetTag(ReopenNumberTag, reopening.ReopenNumber);
                    break;
            }
            activity.SetTag(MessageTypeTag, entry.Message switch
            {
                ProjectCompletion => nameof(ProjectCompleted),
                ProjectReopening => nameof(ProjectReopened),
                TargetAchievement => nameof(TargetMet),
                OverdueNotice => nameof(MilestoneOverdue),
                EventRecordedNotice => nameof(MilestoneRecorded),
                _ => "unknown",
            });
            activity.SetTag(MessageIdTag, entry.MessageId.ToString());
        }
        return activity;
    }

    /// <summary>Marks a span as failed by an exception that is about to propagate.</summary>
    public static void RecordFailure(this Activity? activity, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        activity?.AddException(exception);
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
    }

    /// <summary>The W3C <c>traceparent</c> of the current span, to store with work that continues later; null outside a span.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    static bool TryParseTraceParent(string? traceParent, out ActivityContext context)
    {
        context = default;
        return !string.IsNullOrEmpty(traceParent) && ActivityContext.TryParse(traceParent, null, isRemote: true, out context);
    }
}
