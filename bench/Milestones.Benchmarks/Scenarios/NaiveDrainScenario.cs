using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Contracts;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>Where a naive consumer keeps each event: one write per event, nothing batched.</summary>
public interface INaiveStore : IAsyncDisposable
{
    /// <summary>Stores the event and updates its project, durably, before it returns.</summary>
    Task Write(MilestoneReached m, CancellationToken cancellationToken);

    Task<long> CountEvents();
}

/// <summary>
/// What a user writes first: a MassTransit consumer that writes each event to its store on its own. MassTransit's
/// default concurrency (the prefetch) and no batching. The scenarios differ only in their store.
/// </summary>
public abstract class NaiveDrainScenario(Broker broker) : IDrainScenario
{
    QueueType queueType;
    MassTransitBus? bus;
    INaiveStore? store;

    public abstract string Name { get; }
    public abstract string Queue { get; }
    public string[] Entities => [Queue, Queue + "_error", Queue + "_skipped"];

    /// <summary>A fresh, empty store for one drain.</summary>
    protected abstract INaiveStore CreateStore();

    public async Task Prepare(QueueType type, int prefetch)
    {
        queueType = type;
        store = CreateStore();
        await using var connection = await broker.Connect(Queue.Replace('.', '-') + "-declare");
        await using var channel = await connection.CreateChannelAsync();
        await Broker.DeclareQueue(channel, Queue, queueType);
    }

    public async Task Start(DrainClock clock, int prefetch) =>
        bus = await MassTransitBus.Start<NaiveConsumer>(broker, Queue, queueType, prefetch, services =>
        {
            services.AddSingleton(clock);
            services.AddSingleton(store!);
        });

    public TimeSpan ConsumerCpu() => Cpu.Self();

    public string Diagnose() => "";

    public async Task<string?> Verify(long expected)
    {
        var stored = await store!.CountEvents();
        return stored == expected ? null : $"the {Name} store holds {stored} events, expected {expected}";
    }

    public async ValueTask DisposeAsync()
    {
        if (bus is not null)
        {
            await bus.DisposeAsync();
        }
        if (store is not null)
        {
            await store.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    public sealed class NaiveConsumer(INaiveStore store, DrainClock clock) : IConsumer<MilestoneReached>
    {
        public async Task Consume(ConsumeContext<MilestoneReached> context)
        {
            await store.Write(context.Message, context.CancellationToken);
            clock.Tick();
        }
    }
}
