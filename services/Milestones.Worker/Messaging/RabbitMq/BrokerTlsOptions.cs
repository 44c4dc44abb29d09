using System.Security.Authentication;
using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.ServiceDefaults;
using RabbitMQ.Client;

namespace Milestones.Worker.Messaging.RabbitMq;

/// <summary>
/// TLS to the broker beyond MassTransit's on/off switch, bound from <c>BrokerTls</c>. TLS itself is turned on with
/// <c>RabbitMqTransport:UseSsl=true</c> (and <c>RabbitMqTransport:Port</c>, usually 5671):
/// <code>{ "RabbitMqTransport": { "UseSsl": true, "Port": 5671 }, "BrokerTls": { "ServerName": "rabbitmq.messaging.svc", "CaFile": "/etc/milestones/tls/ca.crt" } }</code>
/// The server's certificate is always checked (<see cref="ServerCertificateTrust"/>); there is no setting that turns a check off.
/// </summary>
public sealed class BrokerTlsOptions
{
    public const string SectionName = "BrokerTls";

    /// <summary>The name the broker's certificate must carry. Default: <c>RabbitMqTransport:Host</c>.</summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// A PEM bundle of the CA certificates that issue the broker's certificate (a cluster's private CA). Set, the chain is
    /// validated against these only; unset, against the system's trust store. Default: unset.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>A PEM client certificate for mutual TLS, with <see cref="ClientKeyFile"/>. Default: unset (no client certificate).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>The PEM private key of <see cref="ClientCertificateFile"/> (unencrypted, as in a Kubernetes TLS secret).</summary>
    public string? ClientKeyFile { get; set; }
}

/// <summary>
/// Refuses, at start, TLS settings that cannot work: a CA bundle or client certificate that does not load, a key without
/// its certificate, TLS settings while TLS is off. Files are read here once, so a bad mount stops the start with the key named.
/// </summary>
public sealed class BrokerTlsValidator(IOptions<RabbitMqTransportOptions> transport, IOptions<MessagingOptions> messaging) : IValidateOptions<BrokerTlsOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (messaging.Value.Transport != MessagingTransport.RabbitMq)
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
        var configured = options.CaFile is { Length: > 0 } || options.ClientCertificateFile is { Length: > 0 } || options.ClientKeyFile is { Length: > 0 };
        if (configured && !transport.Value.UseSsl)
        {
            failures.Add($"{BrokerTlsOptions.SectionName} is set but RabbitMqTransport:UseSsl is false: the connection would not use TLS at all.");
        }
        const string section = BrokerTlsOptions.SectionName;
        failures.AddRange(ServerCertificateTrust.FileProblems(
            $"{section}:{nameof(BrokerTlsOptions.CaFile)}", options.CaFile,
            $"{section}:{nameof(BrokerTlsOptions.ClientCertificateFile)}", options.ClientCertificateFile,
            nameof(BrokerTlsOptions.ClientKeyFile), options.ClientKeyFile));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Applies <see cref="BrokerTlsOptions"/> to MassTransit's TLS configuration of the broker connection.</summary>
public static class BrokerTls
{
    /// <summary>
    /// The log category of a refused broker certificate. It names the class where it was before it moved to
    /// <c>Messaging/RabbitMq/</c>, so that log queries and alerts that select on it go on finding it.
    /// </summary>
    public const string LogCategory = "Milestones.Worker.Messaging.BrokerTls";

    /// <summary>
    /// The server name to verify (default: the host), the certificate checks of <see cref="ServerCertificateTrust"/>
    /// (every check on; a refusal logged to <paramref name="logger"/>) and the optional client certificate.
    /// </summary>
    public static Action<IRabbitMqSslConfigurator> Configure(RabbitMqTransportOptions transport, BrokerTlsOptions tls, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(tls);
        return ssl =>
        {
            ssl.ServerName = ServerName(transport, tls);
            // The platform's choice (TLS 1.2 or 1.3), not a pinned version.
            ssl.Protocol = SslProtocols.None;
            ssl.CertificateValidationCallback = new ServerCertificateTrust("RabbitMQ", tls.CaFile, logger).Validate;
            if (tls.ClientCertificateFile is { Length: > 0 } certificate && tls.ClientKeyFile is { Length: > 0 } key)
            {
                ssl.Certificate = ServerCertificateTrust.LoadClientCertificate(certificate, key);
            }
        };
    }

    /// <summary>
    /// The same TLS settings for a plain RabbitMQ.Client connection (the ops commands'): server name, every certificate
    /// check of <see cref="ServerCertificateTrust"/>, the optional client certificate.
    /// </summary>
    public static SslOption ToSslOption(RabbitMqTransportOptions transport, BrokerTlsOptions tls, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(tls);
        var option = new SslOption
        {
            Enabled = true,
            ServerName = ServerName(transport, tls),
            Version = SslProtocols.None,
            CertificateValidationCallback = new ServerCertificateTrust("RabbitMQ", tls.CaFile, logger).Validate,
        };
        if (tls.ClientCertificateFile is { Length: > 0 } certificate && tls.ClientKeyFile is { Length: > 0 } key)
        {
            option.Certs = [ServerCertificateTrust.LoadClientCertificate(certificate, key)];
        }
        return option;
    }

    static string ServerName(RabbitMqTransportOptions transport, BrokerTlsOptions tls) =>
        tls.ServerName is { Length: > 0 } serverName ? serverName : transport.Host;
}
