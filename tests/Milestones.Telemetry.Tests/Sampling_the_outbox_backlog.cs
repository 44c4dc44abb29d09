using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Storage;
using Milestones.Storage.Sqlite;
using Milestones.Worker.Telemetry;

namespace Milestones.Telemetry.Tests;

/// <summary>
/// The OpenTelemetry SDK's meter provider takes in every meter of the process that has the service's name, merges
/// same-named instruments into one stream and stops exporting that stream when any one of those meters is disposed.
/// A test that reads this host's export must therefore not run beside tests that start and stop other hosts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneInTheProcess
{
    public const string Name = "alone in the process";
}

/// <summary>The outbox gauges report a sample the dispatcher takes at a bounded rate; a scrape never queries the store.</summary>
[Collection(AloneInTheProcess.Name)]
public class Sampling_the_outbox_backlog
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The outbox gauges of the meters <paramref name="meters"/> created; not those of a host another test runs meanwhile.</summary>
    static Dictionary<string, double> Observe(MeterFactory meters)
    {
        var values = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == MilestonesTelemetry.Name && instrument.Name.StartsWith("milestones.outbox.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    [Fact]
    public void The_gauges_report_the_last_sample_and_the_age_of_its_oldest_entry_as_of_now()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2023, 3, 1, 9, 0, 0, TimeSpan.Zero));
        using var meters = new MeterFactory();
        using var telemetry = new MilestonesTelemetry(meters, time);

        Assert.Empty(Observe(meters)); // nothing sampled yet: no made-up zero
        telemetry.SampleBacklog(new OutboxBacklog(3, time.GetUtcNow().AddSeconds(-20)));
        time.Advance(TimeSpan.FromSeconds(10));
        var observed = Observe(meters);

        Assert.Equal(3, observed["milestones.outbox.backlog"]);
        Assert.Equal(30, observed["milestones.outbox.oldest_age"]);

        telemetry.SampleBacklog(new OutboxBacklog(0, null));
        observed = Observe(meters);
        Assert.Equal(0, observed["milestones.outbox.backlog"]);
        Assert.Equal(0, observed["milestones.outbox.oldest_age"]);
    }

    /// <summary>Counts the backlog queries that reach the store.</summary>
    sealed class CountingOutbox(IOutboxStore inner) : IOutboxStore
    {
        int backlogQueries;

        public int BacklogQueries => Volatile.Read(ref backlogQueries);

        public Task<IReadOnlyList<OutboxEntry>> ClaimPending(string owner, int maxCount, TimeSpan lease, CancellationToken cancellationToken) =>
            inner.ClaimPending(owner, maxCount, lease, cancellationToken);

        public Task MarkSent(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt, CancellationToken cancellationToken) =>
            inner.MarkSent(messageIds, sentAt, cancellationToken);

        public Task<OutboxBacklog> GetBacklog(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref backlogQueries);
            return inner.GetBacklog(cancellationToken);
        }
    }

    [Fact]
    public async Task Exporting_the_metrics_again_and_again_does_not_query_the_store()
    {
        CountingOutbox? outbox = null;
        await using var worker = await WorkerHost.Start(new() { ["Outbox:BacklogSampleInterval"] = "00:10:00" }, services: services =>
        {
            services.RemoveAll<IOutboxStore>();
            services.AddSingleton<IOutboxStore>(provider => outbox = new CountingOutbox(provider.GetRequiredService<SqliteMilestoneStore>()));
        });
        int BacklogReadings() => worker.Metrics.Count(m => m.Name == "milestones.outbox.backlog");
        // The query is counted when it starts and the sample kept when it returns: wait until an export shows it.
        await Poll.Until(() =>
        {
            worker.FlushMetrics();
            return BacklogReadings() > 0;
        }, TimeSpan.FromSeconds(10), "the dispatcher's first backlog sample in an export");
        var before = BacklogReadings();

        for (var scrape = 0; scrape < 20; scrape++)
        {
            worker.FlushMetrics();
        }

        Assert.Equal(1, outbox!.BacklogQueries);
        var readings = BacklogReadings() - before;
        Assert.True(readings >= 20, $"expected a backlog reading on every export, got {readings}");
        Assert.All(worker.Metrics.Where(m => m.Name == "milestones.outbox.backlog"), m => Assert.Equal("{entry}", m.Unit));
    }
}
