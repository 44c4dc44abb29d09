using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Contracts;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>MassTransit's own cost: a consumer of <see cref="MilestoneReached"/> that does nothing, at the same prefetch.</summary>
public sealed class FrameworkScenario(Broker broker) : IDrainScenario
{
    QueueType queueType;
    MassTransitBus? bus;

    public string Name => "framework";
    public string Queue => "bench.framework";
    public string[] Entities => [Queue, Queue + "_error", Queue + "_skipped"];

    public async Task Prepare(QueueType type, int prefetch)
    {
        queueType = type;
        await using var connection = await broker.Connect("bench-framework-declare");
        await using var channel = await connection.CreateChannelAsync();
        await Broker.DeclareQueue(channel, Queue, queueType);
    }

    public async Task Start(DrainClock clock, int prefetch) =>
        bus = await MassTransitBus.Start<NoOpConsumer>(broker, Queue, queueType, prefetch, services => services.AddSingleton(clock));

    public TimeSpan ConsumerCpu() => Cpu.Self();

    public string Diagnose() => "";

    public Task<string?> Verify(long expected) => Task.FromResult<string?>(null);

    public async ValueTask DisposeAsync()
    {
        if (bus is not null)
        {
            await bus.DisposeAsync();
        }
    }

    /// <summary>Consumes and forgets.</summary>
    public sealed class NoOpConsumer(DrainClock clock) : IConsumer<MilestoneReached>
    {
        public Task Consume(ConsumeContext<MilestoneReached> context)
        {
            clock.Tick();
            return Task.CompletedTask;
        }
    }
}
