using System.Diagnostics;
using System.Diagnostics.Metrics;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Telemetry;

/// <summary>
/// The service's own traces and metrics (SPEC §7). The instrument names are fixed: the dashboard and the alert rules
/// under <c>deploy/</c> use them (as Prometheus names: <c>milestones_events_consumed_total</c>, …,
/// <c>milestones_processing_duration_seconds</c>, <c>milestones_outbox_backlog</c>, <c>milestones_outbox_oldest_age_seconds</c>).
/// </summary>
public sealed class MilestonesTelemetry : IDisposable
{
    public const string Name = "Milestones";

    /// <summary>Bucket bounds in seconds: recording an event takes milliseconds, a slow store seconds.</summary>
    static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    readonly Meter meter;
    readonly TimeProvider time;
    volatile BacklogSample? backlog;

    public MilestonesTelemetry(IMeterFactory meterFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        this.time = time ?? TimeProvider.System;
        meter = meterFactory.Create(Name);
        Consumed = meter.CreateCounter<long>("milestones.events.consumed", "{event}", "Milestone events received");
        Applied = meter.CreateCounter<long>("milestones.events.applied", "{event}", "Milestone events recorded");
        Duplicates = meter.CreateCounter<long>("milestones.events.duplicate", "{event}", "Redelivered events acknowledged without effect");
        Rejected = meter.CreateCounter<long>("milestones.events.rejected", "{event}", "Events refused, by reason");
        CompletionsPublished = meter.CreateCounter<long>("milestones.completions.published", "{message}", "ProjectCompleted messages published");
        ReopeningsPublished = meter.CreateCounter<long>("milestones.reopenings.published", "{message}", "ProjectReopened messages published");
        ProcessingDuration = meter.CreateHistogram("milestones.processing.duration", "s", "Time to record one event",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        // Observed from the last sample, never by querying the store on a scrape: see SampleBacklog.
        meter.CreateObservableGauge("milestones.outbox.backlog", ObserveBacklog, "{entry}", "Outbox entries waiting to be published");
        meter.CreateObservableGauge("milestones.outbox.oldest_age", ObserveOldestAge, "s", "Age of the oldest entry waiting in the outbox");
    }

    public static ActivitySource ActivitySource { get; } = new(Name);

    public Counter<long> Consumed { get; }
    public Counter<long> Applied { get; }
    public Counter<long> Duplicates { get; }
    public Counter<long> Rejected { get; }
    public Counter<long> CompletionsPublished { get; }
    public Counter<long> ReopeningsPublished { get; }
    public Histogram<double> ProcessingDuration { get; }

    /// <summary>
    /// Keeps the outbox's size and oldest entry as the gauges will report them. They describe the shared store, so every
    /// replica reports the same values: aggregate them across replicas with <c>max</c>, not <c>sum</c>. The dispatcher calls this from its loop
    /// at a bounded rate, so a scrape costs no store query. The age is computed when observed, so it keeps growing
    /// between samples (and while the store cannot be sampled), which is what an alert on a stuck outbox wants.
    /// </summary>
    public void SampleBacklog(OutboxBacklog sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        backlog = new BacklogSample(sample.Count, sample.OldestEnqueuedAt);
    }

    IEnumerable<Measurement<long>> ObserveBacklog() =>
        backlog is { } sample ? [new Measurement<long>(sample.Count)] : [];

    IEnumerable<Measurement<double>> ObserveOldestAge()
    {
        if (backlog is not { } sample)
        {
            return [];
        }
        var age = sample.OldestEnqueuedAt is { } oldest ? Math.Max(0, (time.GetUtcNow() - oldest).TotalSeconds) : 0;
        return [new Measurement<double>(age)];
    }

    public void Dispose() => meter.Dispose();

    sealed record BacklogSample(long Count, DateTimeOffset? OldestEnqueuedAt);
}
