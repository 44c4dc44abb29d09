using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Worker.Consumers;

namespace Milestones.Worker.Messaging.RabbitMq;

/// <summary>
/// The worker's bus on RabbitMQ: the broker connection's settings and their checks at start, and the bus with its
/// topology (<see cref="RabbitMqTopology"/>). What each input endpoint does with a message is its definition's
/// (<c>Consumers/*Definition.cs</c>).
/// </summary>
public static class RabbitMqBus
{
    /// <summary>
    /// Binds MassTransit's <c>RabbitMqTransport</c> section (host, port, virtual host, user, password, <c>UseSsl</c>) and
    /// <c>BrokerTls</c>, checked at start: RabbitMQ's default credentials or no password are refused in Production
    /// (<see cref="BrokerCredentials"/>); the TLS files are loaded at start (<see cref="BrokerTlsValidator"/>).
    /// </summary>
    public static IServiceCollection AddBrokerSettings(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RabbitMqTransportOptions>().BindConfiguration("RabbitMqTransport");
        services.AddSingleton<IValidateOptions<RabbitMqTransportOptions>, BrokerCredentials>();
        services.AddOptions<RabbitMqTransportOptions>().ValidateOnStart();
        services.AddOptions<BrokerTlsOptions>().BindConfiguration(BrokerTlsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BrokerTlsOptions>, BrokerTlsValidator>();
        return services;
    }

    /// <summary>
    /// The production transport: RabbitMQ from the <c>RabbitMqTransport</c> section, with the topology of
    /// <see cref="RabbitMqTopology"/>; what the worker sends and publishes carries its user (<see cref="BrokerUserIdFilter{TContext}"/>).
    /// </summary>
    public static void UsingMilestonesRabbitMq(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.UsingRabbitMq((context, cfg) =>
        {
            var messaging = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
            var transport = context.GetRequiredService<IOptions<RabbitMqTransportOptions>>().Value;
            // With RabbitMqTransport:UseSsl, TLS whose certificate checks all stay on (BrokerTls, ServerCertificateTrust).
            cfg.ConfigureHost(transport, BrokerTls.Configure(transport, context.GetRequiredService<IOptions<BrokerTlsOptions>>().Value,
                context.GetRequiredService<ILoggerFactory>().CreateLogger(BrokerTls.LogCategory)));
            // Every message the worker sends or publishes carries its broker user as the AMQP user_id, which RabbitMQ
            // validates against the connection: subscribers can check that a completion came from the worker.
            cfg.ConfigureSend(send => send.UseFilter(new BrokerUserIdFilter<SendContext>(transport.User)));
            cfg.ConfigurePublish(publish => publish.UseFilter(new BrokerUserIdFilter<PublishContext>(transport.User)));
            // The output exchanges exist from the start, not from the first completion: a subscriber, whose user may
            // not declare them, can bind its queue before anything is published.
            // Published mandatory, so that one no queue would receive stays in the outbox (RabbitMqTopology.ConfigureOutputs).
            cfg.ConfigureOutputs(context.GetRequiredService<IOptions<FeedsOptions>>().Value);
            // The input endpoints, each as its definition says (Consumers/*Definition.cs); the quarantine's is the reports
            // consumer's second endpoint, so it is declared here.
            if (messaging.QuarantineRedeliveries)
            {
                ActivatorUtilities.CreateInstance<MilestoneReachedQuarantineDefinition>(context).ReceiveEndpoint(cfg, context);
            }
            cfg.ConfigureEndpoints(context);
        });
    }
}
