using System.Diagnostics;
using System.Diagnostics.Metrics;
using Milestones.Domain.Catalog;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Telemetry;

/// <summary>
/// The service's own traces and metrics. The instrument names are fixed: the dashboard and the alert rules
/// under <c>deploy/</c> use them (as Prometheus names: <c>milestones_events_consumed_total</c>, …,
/// <c>milestones_processing_duration_seconds</c>, <c>milestones_outbox_backlog</c>, <c>milestones_outbox_oldest_age_seconds</c>).
/// </summary>
public sealed class MilestonesTelemetry : IDisposable
{
    public const string Name = "Milestones";

    /// <summary>Bucket bounds in seconds: recording an event takes milliseconds, a slow store seconds.</summary>
    static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Tag of the upstream system: a source of the catalog, or <see cref="OtherSource"/>.</summary>
    public const string SourceSystemTag = "source_system";

    /// <summary>Tag of the reason code of a refused or unreadable message.</summary>
    public const string ReasonTag = "reason";

    /// <summary>The <see cref="SourceSystemTag"/> of every source the catalog does not know (or a message that names none).</summary>
    public const string OtherSource = "other";

    /// <summary>The project tag or attribute of an id that is not a catalog project.</summary>
    public const string UnknownProject = "unknown";

    /// <summary>Longest string from outside that becomes a span attribute or log field (see <see cref="Clip"/>).</summary>
    public const int MaxAttributeLength = 64;

    readonly Meter meter;
    readonly TimeProvider time;
    readonly ProjectCatalog? catalog;
    volatile BacklogSample? backlog;
    long storeOutageSinceTicks;   // 0: the store can be written

    /// <param name="meterFactory">Creates the service's meter (the host's factory, or a test's own).</param>
    /// <param name="time">The clock of the outbox's age gauge; the system clock when null.</param>
    /// <param name="catalog">The catalog that bounds the tags (<see cref="SourceTag"/>, <see cref="ProjectTag"/>); without one every source is <see cref="OtherSource"/>.</param>
    public MilestonesTelemetry(IMeterFactory meterFactory, TimeProvider? time = null, ProjectCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        this.time = time ?? TimeProvider.System;
        this.catalog = catalog;
        meter = meterFactory.Create(Name);
        Consumed = meter.CreateCounter<long>("milestones.events.consumed", "{event}", "Milestone events received");
        Applied = meter.CreateCounter<long>("milestones.events.applied", "{event}", "Milestone events recorded");
        Duplicates = meter.CreateCounter<long>("milestones.events.duplicate", "{event}", "Redelivered events acknowledged without effect");
        Rejected = meter.CreateCounter<long>("milestones.events.rejected", "{event}", "Events refused, by reason");
        CompletionsPublished = meter.CreateCounter<long>("milestones.completions.published", "{message}", "ProjectCompleted messages published");
        ReopeningsPublished = meter.CreateCounter<long>("milestones.reopenings.published", "{message}", "ProjectReopened messages published");
        TargetsMetPublished = meter.CreateCounter<long>("milestones.targets_met.published", "{message}", "TargetMet messages published");
        OverduePublished = meter.CreateCounter<long>("milestones.overdue.published", "{message}", "MilestoneOverdue messages published");
        RecordedPublished = meter.CreateCounter<long>("milestones.recorded.published", "{message}", "MilestoneRecorded messages published (the feed)");
        OutboxRefused = meter.CreateCounter<long>("milestones.outbox.refused", "{message}",
            "Outbox publishes the broker refused (a bounded queue such as the feed's is full); the entry stays pending");
        OutboxUnroutable = meter.CreateCounter<long>("milestones.outbox.unroutable", "{message}",
            "Outbox publishes the broker returned because no queue was bound to the exchange; the entry stays pending");
        RecordFailures = meter.CreateCounter<long>("milestones.record.failures", "{event}",
            "Inputs whose recording failed, by kind: outage (the store cannot be written; held and retried), conflict, unexpected");
        SinkRefused = meter.CreateCounter<long>("milestones.sink.refused", "{message}",
            "Moves to a sink queue (_error, _skipped) that failed, usually because the bounded queue is full; the message stays in its input queue");
        ProcessingDuration = meter.CreateHistogram("milestones.processing.duration", "s", "Time to record one event",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        BatchSize = meter.CreateHistogram<int>("milestones.batch.size", "{event}", "Inputs recorded together with one store write",
            tags: null, advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
        // Observed from the last sample, never by querying the store on a scrape: see SampleBacklog.
        meter.CreateObservableGauge("milestones.outbox.backlog", ObserveBacklog, "{entry}", "Outbox entries waiting to be published");
        meter.CreateObservableGauge("milestones.outbox.oldest_age", ObserveOldestAge, "s", "Age of the oldest entry waiting in the outbox");
        meter.CreateObservableGauge("milestones.store.outage", () => StoreOutageSince is null ? 0 : 1, unit: null,
            "1 while the store cannot be written (the last write failed as an outage), else 0");
    }

    public static ActivitySource ActivitySource { get; } = new(Name);

    public Counter<long> Consumed { get; }
    public Counter<long> Applied { get; }
    public Counter<long> Duplicates { get; }
    public Counter<long> Rejected { get; }
    public Counter<long> CompletionsPublished { get; }
    public Counter<long> ReopeningsPublished { get; }
    public Counter<long> TargetsMetPublished { get; }
    public Counter<long> OverduePublished { get; }
    public Counter<long> RecordedPublished { get; }
    public Counter<long> OutboxUnroutable { get; }
    public Counter<long> OutboxRefused { get; }

    /// <summary>Tag <c>queue</c> of <see cref="SinkRefused"/>: the sink queue that refused the move.</summary>
    public const string QueueTag = "queue";

    /// <summary>Moves to a sink queue that failed (<see cref="Messaging.InputEndpoints.SinkRefusalFilter{TContext}"/>), by <see cref="QueueTag"/>.</summary>
    public Counter<long> SinkRefused { get; }

    /// <summary>Tag <c>kind</c> of <see cref="RecordFailures"/>: <c>outage</c>, <c>conflict</c> or <c>unexpected</c>.</summary>
    public const string KindTag = "kind";

    /// <summary>Failed recordings by <see cref="KindTag"/>; refusals are not failures (<see cref="Rejected"/>).</summary>
    public Counter<long> RecordFailures { get; }

    /// <summary>
    /// Since when the store cannot be written: set when a write fails as an outage, cleared when one succeeds. The
    /// gauge <c>milestones.store.outage</c> and the readiness check read it.
    /// </summary>
    public DateTimeOffset? StoreOutageSince =>
        Interlocked.Read(ref storeOutageSinceTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>The last outage's failure, for the readiness check's description.</summary>
    public Exception? StoreOutageFailure { get; private set; }

    /// <summary>Reports a write that failed as an outage (<paramref name="outage"/> set) or one that reached the store.</summary>
    public void ReportStoreWrite(Exception? outage)
    {
        if (outage is null)
        {
            Interlocked.Exchange(ref storeOutageSinceTicks, 0);
            StoreOutageFailure = null;
            return;
        }
        StoreOutageFailure = outage;
        Interlocked.CompareExchange(ref storeOutageSinceTicks, time.GetUtcNow().UtcTicks, 0);
    }
    public Histogram<double> ProcessingDuration { get; }
    public Histogram<int> BatchSize { get; }

    /// <summary>
    /// The <see cref="SourceSystemTag"/> value for a source named by a message or a broker user: the catalog's own id
    /// of a source it knows, <see cref="OtherSource"/> for anything else. So the number of series never grows with what
    /// publishers send; 10 000 invented sources add one series, <c>other</c>.
    /// </summary>
    public string SourceTag(string? source) =>
        catalog is not null && catalog.TryGetSource(source, out var known) ? known.Id : OtherSource;

    /// <summary>A project id as a tag or span attribute: the catalog's own id of a catalog project, else <see cref="UnknownProject"/>.</summary>
    public string ProjectTag(string? projectId) =>
        catalog is not null && catalog.TryGet(projectId, out var project) ? project.Id : UnknownProject;

    /// <summary>
    /// A string from outside, bounded for a span attribute or a log field: at most <see cref="MaxAttributeLength"/>
    /// characters (an ellipsis marks the cut), control characters (line breaks included) replaced by <c>?</c>, so a
    /// value cannot forge log lines or carry a payload into the telemetry pipeline.
    /// </summary>
    public static string? Clip(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var cut = MaxAttributeLength - 1;
        if (value.Length > MaxAttributeLength && char.IsHighSurrogate(value[cut - 1]))
        {
            cut--;   // never half a surrogate pair
        }
        var clipped = value.Length > MaxAttributeLength ? string.Concat(value.AsSpan(0, cut), "…") : value;
        if (!clipped.AsSpan().ContainsAnyInRange('\0', '\u001f') && !clipped.Contains('\u007f', StringComparison.Ordinal))
        {
            return clipped;
        }
        return string.Create(clipped.Length, clipped, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

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
