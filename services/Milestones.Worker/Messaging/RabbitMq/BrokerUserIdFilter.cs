using MassTransit;

namespace Milestones.Worker.Messaging.RabbitMq;

/// <summary>
/// Stamps every message the worker sends or publishes over RabbitMQ with the AMQP <c>user_id</c> property: the
/// broker user the worker connects as (<c>RabbitMqTransport:User</c>). RabbitMQ refuses a <c>user_id</c> that is not
/// the connection's own user (a user with the <c>impersonator</c> tag excepted), so a subscriber of
/// <c>milestones.project-completed</c> can check that a completion came from the worker's user. The worker's user is
/// created by <c>deploy/rabbitmq/broker-permissions.sh</c> (deploy/README.md, "RabbitMQ users and permissions").
/// </summary>
public sealed class BrokerUserIdFilter<TContext>(string user) : IFilter<TContext>
    where TContext : class, SendContext
{
    public string User { get; } = string.IsNullOrEmpty(user) ? throw new ArgumentException("The broker user is empty.", nameof(user)) : user;

    public Task Send(TContext context, IPipe<TContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        // A message the worker passes on for its publisher (a redelivery moved to quarantine) keeps the publisher's
        // user_id, set by whoever forwards it: it is what the worker checks the sender by when it consumes it again.
        if (context.TryGetPayload(out RabbitMqSendContext? rabbit) && string.IsNullOrEmpty(rabbit.BasicProperties.UserId))
        {
            rabbit.BasicProperties.UserId = User;
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("brokerUserId").Add("user", User);
}
