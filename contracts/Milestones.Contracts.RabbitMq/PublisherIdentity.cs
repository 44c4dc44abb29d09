using MassTransit;

namespace Milestones.Contracts.RabbitMq;

/// <summary>
/// One line for a .NET publisher of <see cref="MilestoneReached"/> and <see cref="MilestoneRetracted"/> on MassTransit's
/// RabbitMQ transport, connected as its own broker user (its source id in the catalog):
/// <code>
/// x.UsingRabbitMq((context, cfg) =>
/// {
///     cfg.Host("rabbitmq.example", "milestones", h => { h.Username("lize-pmo"); h.Password(password); });
///     cfg.UsePublisherIdentity("lize-pmo");
/// });
/// </code>
/// </summary>
public static class PublisherIdentityExtensions
{
    /// <summary>
    /// Every message this bus sends or publishes carries <paramref name="user"/> as its AMQP <c>user_id</c> (RabbitMQ
    /// checks that it is the connection's user, so it must be the user given to <c>Host</c>); and publishing
    /// <see cref="MilestoneReached"/> or <see cref="MilestoneRetracted"/> declares nothing: a publisher's user may write to
    /// the two input exchanges but configure nothing, and the worker declares them.
    /// </summary>
    public static void UsePublisherIdentity(this IRabbitMqBusFactoryConfigurator configurator, string user)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentException.ThrowIfNullOrEmpty(user);
        configurator.ConfigureSend(send => send.UseFilter(new UserIdFilter<SendContext>(user)));
        configurator.ConfigurePublish(publish => publish.UseFilter(new UserIdFilter<PublishContext>(user)));
        // Excluded from the publish topology: MassTransit publishes to the exchange without declaring it.
        configurator.Publish<MilestoneReached>(topology => topology.Exclude = true);
        configurator.Publish<MilestoneRetracted>(topology => topology.Exclude = true);
    }

    sealed class UserIdFilter<TContext>(string user) : IFilter<TContext>
        where TContext : class, SendContext
    {
        public Task Send(TContext context, IPipe<TContext> next)
        {
            if (context.TryGetPayload(out RabbitMqSendContext? rabbit))
            {
                rabbit.BasicProperties.UserId = user;
            }
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("publisherIdentity").Add("user", user);
    }
}
