using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Contracts;
using RabbitMQ.Client;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// MassTransit's own cost: a consumer of <see cref="MilestoneReached"/> that does nothing, at the same prefetch.
/// Its variants, run only when named in <c>--drains</c>, separate what the broker spends per message on the worker's
/// queue from what it spends at the worker's pace (docs/broker-cost.md):
/// <list type="bullet">
/// <item><c>framework-dlq</c>: the queue declared with the worker's arguments (<c>x-delivery-limit</c> 20,
/// dead-lettered to <c>_dlq</c>, a quorum queue bound to an exchange of that name);</item>
/// <item><c>framework-paced</c>: the no-op consumer holds each message until its turn at <c>--paced-rate</c> msg/s;</item>
/// <item><c>framework-paced-dlq</c>: both.</item>
/// </list>
/// </summary>
public sealed class FrameworkScenario(Broker broker, string name = Report.Framework, double? pacedRate = null, bool workerQueue = false) : IDrainScenario
{
    /// <summary>The worker's input queue's <c>x-delivery-limit</c> (Messaging:InputDeliveryLimit).</summary>
    const int WorkerDeliveryLimit = 20;

    QueueType queueType;
    MassTransitBus? bus;

    public string Name => name;
    public string Queue => "bench." + name;
    string DeadLetter => Queue + "_dlq";
    public string[] Entities => [Queue, Queue + "_error", Queue + "_skipped", DeadLetter];

    public async Task Prepare(QueueType type, int prefetch)
    {
        queueType = type;
        await using var connection = await broker.Connect("bench-framework-declare");
        await using var channel = await connection.CreateChannelAsync();
        if (!workerQueue)
        {
            await Broker.DeclareQueue(channel, Queue, queueType);
            return;
        }
        // As MassTransit declares them for the worker (RabbitMqTopology.ConfigureConsumedQueue), so that its own
        // declarations at start are equivalent.
        await channel.ExchangeDeclareAsync(DeadLetter, ExchangeType.Fanout, durable: true, autoDelete: false);
        await Broker.DeclareQueue(channel, DeadLetter, queueType);
        await channel.QueueBindAsync(DeadLetter, DeadLetter, "");
        var arguments = new Dictionary<string, object?> { ["x-delivery-limit"] = WorkerDeliveryLimit, ["x-dead-letter-exchange"] = DeadLetter };
        if (queueType == QueueType.Quorum)
        {
            arguments["x-queue-type"] = "quorum";
        }
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, arguments);
    }

    public async Task Start(DrainClock clock, int prefetch)
    {
        Action<IRabbitMqReceiveEndpointConfigurator>? endpoint = workerQueue
            ? e =>
            {
                e.SetQueueArgument("x-delivery-limit", WorkerDeliveryLimit);
                e.BindDeadLetterQueue(DeadLetter, DeadLetter, q =>
                {
                    if (queueType == QueueType.Quorum)
                    {
                        q.SetQuorumQueue();
                    }
                });
            }
            : null;
        bus = pacedRate is { } rate
            ? await MassTransitBus.Start<PacedConsumer>(broker, Queue, queueType, prefetch, services =>
            {
                services.AddSingleton(clock);
                services.AddSingleton(new Pace(rate));
            }, endpoint)
            : await MassTransitBus.Start<NoOpConsumer>(broker, Queue, queueType, prefetch, services => services.AddSingleton(clock), endpoint);
    }

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

    /// <summary>Consumes and forgets, each message no sooner than its turn at the <see cref="Pace"/>'s rate.</summary>
    public sealed class PacedConsumer(DrainClock clock, Pace pace) : IConsumer<MilestoneReached>
    {
        public async Task Consume(ConsumeContext<MilestoneReached> context)
        {
            await pace.Turn();
            clock.Tick();
        }
    }

    /// <summary>Hands out turns at a steady rate from the first one: the n-th waits until n / rate seconds have passed.</summary>
    public sealed class Pace(double rate)
    {
        long started;
        long turns;

        public Task Turn()
        {
            Interlocked.CompareExchange(ref started, Stopwatch.GetTimestamp(), 0);
            var due = TimeSpan.FromSeconds(Interlocked.Increment(ref turns) / rate) - Stopwatch.GetElapsedTime(Interlocked.Read(ref started));
            return due > TimeSpan.Zero ? Task.Delay(due) : Task.CompletedTask;
        }
    }
}
