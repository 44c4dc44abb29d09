using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Worker.Outbox;

namespace Milestones.Worker.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// What the host's shutdown needs beyond stopping the consumers and the outbox's last flush: the bus's own stop and
    /// the rest of the host. <see cref="HostOptions.ShutdownTimeout"/> is raised to <see cref="MessagingOptions.StopTimeout"/>
    /// plus <see cref="OutboxOptions.StopFlushTimeout"/> plus this when it is shorter.
    /// </summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Start and stop of the bus: the host does not wait for the broker to start (the probes must answer while it is
    /// unreachable: live, not ready). On shutdown the consumers stop within <c>Messaging:StopTimeout</c> (<see cref="Intake"/>),
    /// the outbox is flushed within <c>Outbox:StopFlushTimeout</c>, then the bus stops, all inside the host's own shutdown
    /// timeout. Also refuses <c>Messaging:RequirePublisherIdentity=false</c> on a broker outside Development.
    /// </summary>
    public static IHostApplicationBuilder AddMessagingLifetime(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
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
        builder.Services.AddOptions<MassTransitHostOptions>().Configure<IOptions<MessagingOptions>>((host, messaging) =>
        {
            host.WaitUntilStarted = false;
            host.StopTimeout = messaging.Value.StopTimeout;
        });
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<MessagingOptions>, IOptions<OutboxOptions>>((host, messaging, outbox) =>
        {
            var needed = messaging.Value.StopTimeout + outbox.Value.StopFlushTimeout + ShutdownMargin;
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return builder;
    }
}
