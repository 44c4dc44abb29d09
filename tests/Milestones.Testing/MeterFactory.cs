using System.Diagnostics.Metrics;

namespace Milestones.Testing;

/// <summary>
/// Meters for one test, disposed with it, without a host. Each meter's scope is this factory, so a listener can tell
/// this test's instruments from those of the hosts other tests run at the same time under the same meter name.
/// </summary>
public sealed class MeterFactory : IMeterFactory
{
    readonly List<Meter> meters = [];

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        meters.Add(meter);
        return meter;
    }

    public void Dispose() => meters.ForEach(m => m.Dispose());
}
