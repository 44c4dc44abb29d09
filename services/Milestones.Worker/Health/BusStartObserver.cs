using MassTransit;

namespace Milestones.Worker.Health;

/// <summary>
/// Remembers whether the bus has started. Started is not connected: with the broker away the bus is started and keeps
/// reconnecting, which the readiness check (MassTransit's own, tagged ready) reports.
/// </summary>
public sealed class BusStartObserver : IBusObserver
{
    volatile bool started;

    public bool Started => started;

    public void PostCreate(IBus bus)
    {
    }

    public void CreateFaulted(Exception exception)
    {
    }

    public Task PreStart(IBus bus) => Task.CompletedTask;

    public Task PostStart(IBus bus, Task<BusReady> busReady)
    {
        started = true;
        return Task.CompletedTask;
    }

    public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;

    public Task PreStop(IBus bus)
    {
        started = false;
        return Task.CompletedTask;
    }

    public Task PostStop(IBus bus) => Task.CompletedTask;

    public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
}
