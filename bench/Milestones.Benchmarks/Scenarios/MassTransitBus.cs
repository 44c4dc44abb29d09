using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Milestones.Benchmarks.Scenarios;

/// <summary>
/// A MassTransit 8 bus on the benchmark's broker with one receive endpoint, composed the way an application does
/// (AddMassTransit, the consumer from the container), and nothing else on it.
/// </summary>
public sealed class MassTransitBus : IAsyncDisposable
{
    readonly ServiceProvider provider;
    readonly IBusControl bus;

    MassTransitBus(ServiceProvider provider)
    {
        this.provider = provider;
        bus = provider.GetRequiredService<IBusControl>();
    }

    /// <summary>
    /// The queue MassTransit declares: durable, not auto-delete, quorum when asked (its x-queue-type only), and whatever
    /// <paramref name="endpoint"/> adds to it.
    /// </summary>
    public static async Task<MassTransitBus> Start<TConsumer>(
        Broker broker, string queue, QueueType type, int prefetch, Action<IServiceCollection> services,
        Action<IRabbitMqReceiveEndpointConfigurator>? endpoint = null)
        where TConsumer : class, IConsumer
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(services);
        var collection = new ServiceCollection();
        collection.AddLogging();
        services(collection);
        collection.AddMassTransit(x =>
        {
            x.AddConsumer<TConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(broker.Host, (ushort)broker.Port, "/", $"bench-{queue}", h =>
                {
                    h.Username(broker.User);
                    h.Password(broker.Pass);
                });
                cfg.ReceiveEndpoint(queue, e =>
                {
                    // Fed straight through the default exchange: no binding to the message type's exchange.
                    e.ConfigureConsumeTopology = false;
                    e.PrefetchCount = prefetch;
                    if (type == QueueType.Quorum)
                    {
                        e.SetQuorumQueue();
                    }
                    endpoint?.Invoke(e);
                    e.ConfigureConsumer<TConsumer>(context);
                });
            });
        });
        var started = new MassTransitBus(collection.BuildServiceProvider());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await started.bus.StartAsync(timeout.Token);
        return started;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.StopAsync(timeout.Token);
        await provider.DisposeAsync();
    }
}
