using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// The physical limit on this machine: RabbitMQ.Client draining the backlog with manual acknowledgements, one per
/// message, at the same prefetch. It does nothing with the messages, so it is as fast as broker and client can go.
/// Its variant <c>limit-multiple</c> (run only when named in <c>--drains</c>) acknowledges every
/// <see cref="AckEvery"/>-th delivery with <c>multiple</c> set, and the last one: what acks one by one cost the broker.
/// </summary>
public sealed class LimitScenario(Broker broker, bool ackMultiple = false) : IDrainScenario
{
    const int AckEvery = 32;

    IConnection? connection;
    IChannel? channel;

    public string Name => ackMultiple ? "limit-multiple" : "limit";
    public string Queue => "bench." + Name;
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
        var received = 0L;
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            // Deliveries of one consumer arrive one after the other: the count needs no lock.
            if (!ackMultiple)
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            }
            else if (++received % AckEvery == 0 || received == clock.Total)
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: true);
            }
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
