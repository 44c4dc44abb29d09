using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Contracts;
using Milestones.Worker.Consumers;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// What the host's shutdown needs beyond the bus's stop: the outbox's last flush and the rest of the host.
    /// <see cref="HostOptions.ShutdownTimeout"/> is raised to <see cref="MessagingOptions.StopTimeout"/> plus this when it is shorter.
    /// </summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Start and stop of the bus: the host does not wait for the broker to start (the probes must answer while it is
    /// unreachable: live, not ready), and stops the bus within <c>Messaging:StopTimeout</c>, inside the host's own
    /// shutdown timeout. Also binds the test-only switches and refuses them in Production.
    /// </summary>
    public static IHostApplicationBuilder AddMessagingLifetime(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var key in new[] { CrashOnNoteFilter.ConfigurationKey, CrashOnNoteFilter.AfterRecordingConfigurationKey })
        {
            if (!string.IsNullOrEmpty(builder.Configuration[key]) && builder.Environment.IsProduction())
            {
                throw new InvalidOperationException($"{key} is a test switch; it is refused in the Production environment.");
            }
        }
        // Off is for Development, or for the in-memory transport, where only code inside the process can publish at all.
        // On a broker anywhere else every message must carry its broker-validated publisher.
        var messaging = builder.Configuration.GetSection(MessagingOptions.SectionName).Get<MessagingOptions>();
        if (messaging is { RequirePublisherIdentity: false, Transport: not MessagingTransport.InMemory } && !builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{MessagingOptions.SectionName}:{nameof(MessagingOptions.RequirePublisherIdentity)} may be turned off in the Development environment " +
                $"or with the in-memory transport only: in '{builder.Environment.EnvironmentName}' on a broker every message must carry its " +
                "broker-validated publisher (AMQP user_id).");
        }
        builder.Services.AddOptions<TestingOptions>().BindConfiguration(TestingOptions.SectionName);
        // guest/guest or no password: refused at start in Production (see BrokerCredentials).
        builder.Services.AddSingleton<IValidateOptions<RabbitMqTransportOptions>, BrokerCredentials>();
        builder.Services.AddOptions<RabbitMqTransportOptions>().ValidateOnStart();
        // TLS to the broker: server name, CA bundle, client certificate; their files are loaded at start (BrokerTlsValidator).
        builder.Services.AddOptions<BrokerTlsOptions>().BindConfiguration(BrokerTlsOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BrokerTlsOptions>, BrokerTlsValidator>();
        builder.Services.AddOptions<MassTransitHostOptions>().Configure<IOptions<MessagingOptions>>((host, messaging) =>
        {
            host.WaitUntilStarted = false;
            host.StopTimeout = messaging.Value.StopTimeout;
        });
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<MessagingOptions>>((host, messaging) =>
        {
            var needed = messaging.Value.StopTimeout + ShutdownMargin;
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return builder;
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
            var testing = context.GetRequiredService<IOptions<TestingOptions>>().Value;
            var transport = context.GetRequiredService<IOptions<RabbitMqTransportOptions>>().Value;
            // With RabbitMqTransport:UseSsl, TLS whose certificate checks all stay on (BrokerTls, ServerCertificateTrust).
            cfg.ConfigureHost(transport, BrokerTls.Configure(transport, context.GetRequiredService<IOptions<BrokerTlsOptions>>().Value,
                context.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BrokerTls).FullName!)));
            // Every message the worker sends or publishes carries its broker user as the AMQP user_id, which RabbitMQ
            // validates against the connection: subscribers can check that a completion came from the worker.
            cfg.ConfigureSend(send => send.UseFilter(new BrokerUserIdFilter<SendContext>(transport.User)));
            cfg.ConfigurePublish(publish => publish.UseFilter(new BrokerUserIdFilter<PublishContext>(transport.User)));
            // The output exchanges exist from the start, not from the first completion: a subscriber, whose user may
            // not declare them, can bind its queue before anything is published.
            // Published mandatory, so that one no queue would receive stays in the outbox (RabbitMqTopology.ConfigureOutputs).
            cfg.ConfigureOutputs(context.GetRequiredService<IOptions<FeedsOptions>>().Value);
            if (messaging.QuarantineRedeliveries)
            {
                cfg.ReceiveEndpoint(messaging.QuarantineQueue(), endpoint =>
                {
                    // Fed only by the input queue's quarantine filter, never bound to the message exchanges.
                    endpoint.ConfigureConsumeTopology = false;
                    MilestoneReachedPipeline.ConfigureInput(endpoint, messaging, context.GetRequiredService<MilestonesTelemetry>());
                    endpoint.Consumer<MilestoneReachedConsumer>(context, consumer =>
                        MilestoneReachedPipeline.Configure<MilestoneReachedConsumer, MilestoneReached>(endpoint, consumer, messaging, testing, context.GetRequiredService<StoreOutage>(), quarantine: true));
                });
            }
            cfg.ConfigureEndpoints(context);
        });
    }
}
