using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// The physical limit on this machine: RabbitMQ.Client draining the backlog with manual acknowledgements, one per
/// message, at the same prefetch. It does nothing with the messages, so it is as fast as broker and client can go.
/// </summary>
public sealed class LimitScenario(Broker broker) : IDrainScenario
{
    IConnection? connection;
    IChannel? channel;

    public string Name => "limit";
    public string Queue => "bench.limit";
    public string[] Entities => [Queue];

    public async Task Prepare(QueueType type, int prefetch)
    {
        connection = await broker.Connect("bench-limit");
        await using var declare = await connection.CreateChannelAsync();
        await Broker.DeclareQueue(declare, Queue, type);
    }

    public async Task Start(DrainClock clock, int prefetch)
    {
        ArgumentNullException.ThrowIfNull(clock);
        channel = await connection!.CreateChannelAsync();
        await channel.BasicQosAsync(0, checked((ushort)prefetch), global: false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            clock.Tick();
        };
        await channel.BasicConsumeAsync(Queue, autoAck: false, consumer);
    }

    public TimeSpan ConsumerCpu() => Cpu.Self();

    public string Diagnose() => "";

    public Task<string?> Verify(long expected) => Task.FromResult<string?>(null);

    public async ValueTask DisposeAsync()
    {
        if (channel is not null)
        {
            await channel.CloseAsync();
            channel.Dispose();
        }
        if (connection is not null)
        {
            await connection.CloseAsync();
            connection.Dispose();
        }
    }
}
