using System.Diagnostics.Metrics;

namespace Milestones.Telemetry.Tests.Infrastructure;

/// <summary>Meters for one test, disposed with it, without a host.</summary>
public sealed class MeterFactory : IMeterFactory
{
    readonly List<Meter> meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        meters.Add(meter);
        return meter;
    }

    public void Dispose() => meters.ForEach(m => m.Dispose());
}
