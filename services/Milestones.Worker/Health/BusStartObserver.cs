using MassTransit;

namespace Milestones.Worker.Health;

/// <summary>
/// Follows the bus through its start. MassTransit's start completes only once every receive endpoint is connected to
/// the broker, and the host does not wait for that (<c>WaitUntilStarted</c> is off), so "starting" lasts as long as the
/// broker is away; readiness (MassTransit's own check, tagged ready) reports that. A start that faulted is final.
/// </summary>
public sealed class BusStartObserver : IBusObserver
{
    volatile BusStartState state = BusStartState.NotStarted;

    public BusStartState State => state;

    public void PostCreate(IBus bus)
    {
    }

    public void CreateFaulted(Exception exception) => state = BusStartState.Faulted;

    public Task PreStart(IBus bus)
    {
        state = BusStartState.Starting;
        return Task.CompletedTask;
    }

    public Task PostStart(IBus bus, Task<BusReady> busReady)
    {
        state = BusStartState.Started;
        return Task.CompletedTask;
    }

    public Task StartFaulted(IBus bus, Exception exception)
    {
        state = BusStartState.Faulted;
        return Task.CompletedTask;
    }

    public Task PreStop(IBus bus)
    {
        state = BusStartState.Stopping;
        return Task.CompletedTask;
    }

    public Task PostStop(IBus bus) => Task.CompletedTask;

    public Task StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
}

public enum BusStartState
{
    NotStarted,
    /// <summary>Started, and connecting its endpoints to the broker.</summary>
    Starting,
    /// <summary>Started with every endpoint connected.</summary>
    Started,
    Faulted,
    Stopping,
}
