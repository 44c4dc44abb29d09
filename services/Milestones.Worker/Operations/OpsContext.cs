using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Domain.Catalog;
using Milestones.Domain.Storage;
using Milestones.Worker.Messaging;
using Milestones.Worker.Messaging.RabbitMq;
using RabbitMQ.Client;
using Spectre.Console;

namespace Milestones.Worker.Operations;

/// <summary>
/// What a subcommand runs with: the worker's own services, built the way the worker builds them (same configuration
/// sources, same store and catalog) but never started, so no consumer, dispatcher or HTTP listener runs; and the
/// consoles. Logging goes to standard error only, so standard output stays parseable.
/// </summary>
public sealed class OpsContext(TextWriter stdout, IAnsiConsole output, IAnsiConsole progress, IEnumerable<KeyValuePair<string, string?>>? settings)
    : IAsyncDisposable
{
    WebApplication? host;

    /// <summary>Where results go: plain text for <c>--json</c>.</summary>
    public TextWriter Stdout { get; } = stdout;

    /// <summary>Results as tables.</summary>
    public IAnsiConsole Output { get; } = output;

    /// <summary>Progress and notes, on standard error.</summary>
    public IAnsiConsole Progress { get; } = progress;

    public IServiceProvider Services => (host ??= Build()).Services;

    public MessagingOptions Messaging => Services.GetRequiredService<IOptions<MessagingOptions>>().Value;

    public OpsOptions Ops => Services.GetRequiredService<IOptions<OpsOptions>>().Value;

    public ProjectCatalog Catalog => Services.GetRequiredService<ProjectCatalog>();

    public TimeProvider Time => Services.GetRequiredService<TimeProvider>();

    public IStoreMaintenance Maintenance => Services.GetRequiredService<IStoreMaintenance>();

    public IProjectStore Projects => Services.GetRequiredService<IProjectStore>();

    WebApplication Build()
    {
        // No arguments: the subcommand's own options are not configuration keys.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(OpsContext).Assembly.GetName().Name });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.AddApplicationServices();
        builder.Services.AddOptions<OpsOptions>().BindConfiguration(OpsOptions.SectionName);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder.Build();
    }

    /// <summary>
    /// A connection to the worker's broker and virtual host (and TLS settings) as the ops user
    /// (<see cref="OpsOptions.BrokerUser"/>), or as the worker's user when none is configured.
    /// </summary>
    public async Task<IConnection> ConnectToBroker(CancellationToken cancellationToken)
    {
        if (Messaging.Transport != MessagingTransport.RabbitMq)
        {
            throw new OpsException($"Messaging:Transport is {Messaging.Transport}: the sink queues exist only on RabbitMQ.");
        }
        var transport = Services.GetRequiredService<IOptions<RabbitMqTransportOptions>>().Value;
        var ops = Ops;
        var user = string.IsNullOrEmpty(ops.BrokerUser) ? transport.User : ops.BrokerUser;
        var pass = string.IsNullOrEmpty(ops.BrokerUser) ? transport.Pass : ops.BrokerPass;
        var factory = new ConnectionFactory
        {
            HostName = transport.Host,
            Port = transport.Port,
            VirtualHost = transport.VHost,
            UserName = user,
            Password = pass ?? string.Empty,
            ClientProvidedName = $"milestones-ops/{Environment.MachineName}",
            MaxInboundMessageBodySize = (uint)RabbitMqTopology.ClientMaxMessageBodySize,
        };
        if (transport.UseSsl)
        {
            // The worker's own TLS settings and checks (BrokerTls): server name, CA bundle, client certificate.
            factory.Ssl = BrokerTls.ToSslOption(transport, Services.GetRequiredService<IOptions<BrokerTlsOptions>>().Value,
                Services.GetRequiredService<ILoggerFactory>().CreateLogger(BrokerTls.LogCategory));
        }
        try
        {
            return await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException ex)
        {
            throw new OpsException($"cannot connect to RabbitMQ at {transport.Host}:{transport.Port} (virtual host '{transport.VHost}') as '{user}': {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }

    /// <summary>The user the broker connection authenticates as.</summary>
    public string BrokerUser
    {
        get
        {
            var ops = Ops;
            return string.IsNullOrEmpty(ops.BrokerUser) ? Services.GetRequiredService<IOptions<RabbitMqTransportOptions>>().Value.User : ops.BrokerUser;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }
}
