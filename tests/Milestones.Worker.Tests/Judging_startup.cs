using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Milestones.Worker.Health;

namespace Milestones.Worker.Tests;

/// <summary>The startup check by itself: the host must have started, and the bus must have started (connected or not) and not faulted.</summary>
public class Judging_startup
{
    sealed class Lifetime(bool started) : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted { get; } = new(started);
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    static async Task<HealthStatus> Judge(bool hostStarted, Func<BusStartObserver, Task> bus)
    {
        var observer = new BusStartObserver();
        await bus(observer);
        var result = await new StartupHealthCheck(new Lifetime(hostStarted), observer)
            .CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        return result.Status;
    }

    [Fact]
    public async Task A_host_still_starting_has_not_started() =>
        Assert.Equal(HealthStatus.Unhealthy, await Judge(hostStarted: false, bus => bus.PostStart(null!, null!)));

    [Fact]
    public async Task A_bus_that_never_began_to_start_has_not_started() =>
        Assert.Equal(HealthStatus.Unhealthy, await Judge(hostStarted: true, _ => Task.CompletedTask));

    [Fact]
    public async Task A_bus_still_connecting_to_the_broker_has_started() =>
        Assert.Equal(HealthStatus.Healthy, await Judge(hostStarted: true, bus => bus.PreStart(null!)));

    [Fact]
    public async Task A_bus_connected_has_started() =>
        Assert.Equal(HealthStatus.Healthy, await Judge(hostStarted: true, async bus =>
        {
            await bus.PreStart(null!);
            await bus.PostStart(null!, null!);
        }));

    [Fact]
    public async Task A_bus_whose_start_faulted_has_not_started() =>
        Assert.Equal(HealthStatus.Unhealthy, await Judge(hostStarted: true, async bus =>
        {
            await bus.PreStart(null!);
            await bus.StartFaulted(null!, new InvalidOperationException("no"));
        }));
}
