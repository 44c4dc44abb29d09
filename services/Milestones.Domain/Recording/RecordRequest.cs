using Milestones.Domain.Projects;

namespace Milestones.Domain.Recording;

/// <summary>
/// One input to record: a milestone report or a retraction, with the <c>traceparent</c> of the work that brought it
/// (stamped on the announcement it may cause, so that the later publish joins its trace; a plain string keeps the domain
/// free of tracing types).
/// </summary>
public sealed record RecordRequest
{
    RecordRequest(MilestoneEvent? report, Retraction? retraction, string? traceParent)
    {
        Report = report;
        Retraction = retraction;
        TraceParent = traceParent;
        EventId = report?.EventId ?? retraction!.EventId;
        ProjectId = report?.ProjectId ?? retraction!.ProjectId;
        // Computed once: a fingerprint is a digest of the whole input.
        Fingerprint = report?.Fingerprint ?? retraction!.Fingerprint;
    }

    public static RecordRequest Of(MilestoneEvent report, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report, null, traceParent);
    }

    public static RecordRequest Of(Retraction retraction, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(retraction);
        return new(null, retraction, traceParent);
    }

    /// <summary>The same input with this <c>traceparent</c>.</summary>
    public RecordRequest WithTraceParent(string? traceParent) => new(Report, Retraction, traceParent);

    /// <summary>The report, when this is one.</summary>
    public MilestoneEvent? Report { get; }

    /// <summary>The retraction, when this is one.</summary>
    public Retraction? Retraction { get; }

    public string? TraceParent { get; }

    public Guid EventId { get; }

    public string ProjectId { get; }

    public string Fingerprint { get; }
}
