using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Domain.Recording;

/// <summary>
/// One input to record: a milestone report, a retraction, a progress report, a catalog registration or the schedule
/// watch's overdue finding, with the <c>traceparent</c> of the work that brought it (stamped on the announcements it may
/// cause, so that the later publish joins its trace; a plain string keeps the domain free of tracing types).
/// </summary>
public sealed record RecordRequest
{
    RecordRequest(EventKind kind, object input, Guid eventId, string projectId, string fingerprint, string? traceParent)
    {
        Kind = kind;
        Input = input;
        EventId = eventId;
        ProjectId = projectId;
        Fingerprint = fingerprint;
        TraceParent = traceParent;
    }

    public static RecordRequest Of(MilestoneEvent report, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        // Computed once: a fingerprint is a digest of the whole input.
        return new(EventKind.Report, report, report.EventId, report.ProjectId, report.Fingerprint, traceParent);
    }

    public static RecordRequest Of(Retraction retraction, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(retraction);
        return new(EventKind.Retraction, retraction, retraction.EventId, retraction.ProjectId, retraction.Fingerprint, traceParent);
    }

    public static RecordRequest Of(ProgressReport progress, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return new(EventKind.Progress, progress, progress.EventId, progress.ProjectId, progress.Fingerprint, traceParent);
    }

    public static RecordRequest Of(CatalogRegistration registration, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return new(EventKind.Registration, registration, registration.EventId, registration.ProjectId ?? string.Empty, registration.Fingerprint, traceParent);
    }

    public static RecordRequest Of(OverdueCheck overdue, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(overdue);
        return new(EventKind.Overdue, overdue, overdue.EventId, overdue.ProjectId, overdue.Fingerprint, traceParent);
    }

    /// <summary>The same input with this <c>traceparent</c>.</summary>
    public RecordRequest WithTraceParent(string? traceParent) => this with { TraceParent = traceParent };

    /// <summary>What the input is.</summary>
    public EventKind Kind { get; }

    object Input { get; }

    /// <summary>The report, when this is one.</summary>
    public MilestoneEvent? Report => Input as MilestoneEvent;

    /// <summary>The retraction, when this is one.</summary>
    public Retraction? Retraction => Input as Retraction;

    /// <summary>The progress report, when this is one.</summary>
    public ProgressReport? Progress => Input as ProgressReport;

    /// <summary>The registration, when this is one.</summary>
    public CatalogRegistration? Registration => Input as CatalogRegistration;

    /// <summary>The overdue finding, when this is one.</summary>
    public OverdueCheck? Overdue => Input as OverdueCheck;

    public string? TraceParent { get; init; }

    public Guid EventId { get; }

    public string ProjectId { get; }

    public string Fingerprint { get; }
}
