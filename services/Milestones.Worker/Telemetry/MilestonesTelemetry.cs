using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Milestones.Worker.Telemetry;

/// <summary>The service's own traces and metrics (SPEC §7).</summary>
public sealed class MilestonesTelemetry : IDisposable
{
    public const string Name = "Milestones";

    readonly Meter meter;

    public MilestonesTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        meter = meterFactory.Create(Name);
        Consumed = meter.CreateCounter<long>("milestones.events.consumed", "{event}", "Milestone events received");
        Applied = meter.CreateCounter<long>("milestones.events.applied", "{event}", "Milestone events recorded");
        Duplicates = meter.CreateCounter<long>("milestones.events.duplicate", "{event}", "Redelivered events acknowledged without effect");
        Rejected = meter.CreateCounter<long>("milestones.events.rejected", "{event}", "Events refused, by reason");
        CompletionsPublished = meter.CreateCounter<long>("milestones.completions.published", "{message}", "ProjectCompleted messages published");
        ProcessingDuration = meter.CreateHistogram<double>("milestones.processing.duration", "s", "Time to record one event");
    }

    public static ActivitySource ActivitySource { get; } = new(Name);

    public Counter<long> Consumed { get; }
    public Counter<long> Applied { get; }
    public Counter<long> Duplicates { get; }
    public Counter<long> Rejected { get; }
    public Counter<long> CompletionsPublished { get; }
    public Histogram<double> ProcessingDuration { get; }

    public void Dispose() => meter.Dispose();
}
