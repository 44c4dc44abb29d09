using MassTransit;
using Milestones.Contracts;
using Milestones.Contracts.RabbitMq;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.Permissions;

/// <summary>
/// A .NET publisher on MassTransit, connected as its own publisher user (configure nothing, read nothing): with
/// <see cref="PublisherIdentityExtensions.UsePublisherIdentity"/> it publishes without declaring the input exchange and
/// its messages carry its user as <c>user_id</c>; without it MassTransit's exchange declaration is refused.
/// </summary>
[Collection(ScriptedBrokerGroup.Name)]
public sealed class A_dotnet_publisher_with_its_identity(ScriptedBroker broker)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publishes_with_its_user_id_and_declares_nothing()
    {
        var worker = await broker.Worker();
        await using var spy = await RabbitClient.Connect(broker.VirtualHost);
        var spyQueue = $"spy-{Guid.NewGuid():N}";
        await spy.Subscribe(WireNames.MilestoneReachedExchange, spyQueue);
        // The metro operator's project; no sourceSystem in the body: it is filled from the user_id.
        var message = Events.Valid("subway-16-south", "construction-started") with { SourceSystem = null };
        var bus = PublisherBus(identity: true);

        await bus.StartAsync(Cancel);
        try
        {
            await bus.Publish(message, Cancel);
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }

        var received = await spy.WaitFor(spyQueue, m => m.Text.Contains(message.EventId.ToString(), StringComparison.Ordinal));
        Assert.Equal(broker.Publisher, received.Properties.UserId);
        await Poll.Until(() => worker.Store.HasEvent(message.EventId), TimeSpan.FromSeconds(20), () => "the worker did not record the event");
    }

    [Fact]
    public async Task Without_it_the_publish_never_goes_through_because_declaring_the_exchange_is_refused()
    {
        await broker.Worker();
        await using var spy = await RabbitClient.Connect(broker.VirtualHost);
        var spyQueue = $"spy-{Guid.NewGuid():N}";
        await spy.Subscribe(WireNames.MilestoneReachedExchange, spyQueue);
        var message = Events.Valid();
        var bus = PublisherBus(identity: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));

        await bus.StartAsync(Cancel);
        try
        {
            // MassTransit declares the exchange before it publishes, is refused, and keeps trying until cancelled.
            await Assert.ThrowsAnyAsync<Exception>(() => bus.Publish(message, timeout.Token));
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }

        Assert.DoesNotContain(await spy.Drain(spyQueue), m => m.Text.Contains(message.EventId.ToString(), StringComparison.Ordinal));
    }

    IBusControl PublisherBus(bool identity) => Bus.Factory.CreateUsingRabbitMq(cfg =>
    {
        cfg.Host(TestVirtualHost.Broker.Host, (ushort)TestVirtualHost.Broker.Port, broker.VirtualHost.VHost, $"permissions-test/{broker.Publisher}", h =>
        {
            h.Username(broker.Publisher);
            h.Password(broker.Password(broker.Publisher));
        });
        if (identity)
        {
            cfg.UsePublisherIdentity(broker.Publisher);
        }
    });
}
