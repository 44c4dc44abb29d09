using System.Diagnostics.Metrics;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Contracts;
using Milestones.Domain.Catalog;
using Milestones.Worker.Consumers;
using Milestones.Worker.Telemetry;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

/// <summary>
/// 10 000 events with 10 000 distinct <c>sourceSystem</c> values add no metric series: every <c>source_system</c>
/// tag the worker records is a catalog source or <c>other</c> (MilestonesTelemetry.SourceTag).
/// </summary>
public class Bounding_metric_series_by_source
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_distinct_sources_add_no_series()
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        var catalog = worker.Services.GetRequiredService<ProjectCatalog>();
        var factory = worker.Services.GetRequiredService<IMeterFactory>();
        var sources = new HashSet<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == MilestonesTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == MilestonesTelemetry.SourceSystemTag)
                {
                    lock (sources)
                    {
                        sources.Add(tag.Value?.ToString());
                    }
                }
            }
        });
        listener.Start();

        const int Count = 10_000;
        for (var i = 0; i < Count; i++)
        {
            await harness.Bus.Publish(Messages.Reached("lize-city-terminal", ConstructionStarted) with { SourceSystem = $"invented-{i}" }, Cancel);
        }
        var consumer = harness.GetConsumerHarness<MilestoneReachedConsumer>();
        await Poll.Until(() => consumer.Consumed.Select<MilestoneReached>(Cancel).Count() == Count, TimeSpan.FromSeconds(120),
            () => $"{consumer.Consumed.Select<MilestoneReached>(Cancel).Count()} of {Count} consumed");

        var allowed = catalog.Sources.Select(s => s.Id).Append(MilestonesTelemetry.OtherSource).ToHashSet();
        Assert.NotEmpty(sources);
        Assert.Subset(allowed, sources.OfType<string>().ToHashSet());
    }
}
