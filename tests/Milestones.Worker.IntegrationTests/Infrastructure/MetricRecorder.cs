using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>
/// The measurements of one in-process worker's own meters (those its <see cref="IMeterFactory"/> created), so that
/// workers of other test classes running at the same time do not count.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    readonly MeterListener listener = new();
    readonly ConcurrentQueue<Measured> measurements = new();

    public MetricRecorder(IServiceProvider services, params string[] instruments)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instruments.Contains(instrument.Name))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Enqueue(new Measured(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString()))));
        // Observable gauges report ints (milestones.store.outage) when observed: see Observe.
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
            measurements.Enqueue(new Measured(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString()))));
        listener.Start();
    }

    /// <summary>The current value of an observable gauge, as a scrape would read it now.</summary>
    public long Observe(string instrument)
    {
        var before = Measurements.Count;
        listener.RecordObservableInstruments();
        return Measurements.Skip(before).Last(m => m.Instrument == instrument).Value;
    }

    public IReadOnlyList<Measured> Measurements => measurements.ToArray();

    /// <summary>The sum of an instrument's measurements whose tags include every given tag.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        Measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.GetValueOrDefault(t.Key) == t.Value)).Sum(m => m.Value);

    public void Dispose() => listener.Dispose();
}

public sealed record Measured(string Instrument, long Value, IReadOnlyDictionary<string, string?> Tags);
