using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Storage.MongoDB;
using Milestones.Worker.Messaging;
using Milestones.Worker.Messaging.RabbitMq;

namespace Milestones.Worker.Security;

/// <summary>
/// What the worker accepts on the wire, bound from <c>Security</c>: <code>{ "Security": { "AllowInsecureTransport": false } }</code>
/// </summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// In Production the worker refuses to start on plaintext AMQP, on MongoDB without TLS, and with a certificate check
    /// switched off in the MongoDB URL (<c>tlsInsecure</c>, <c>tlsAllowInvalidCertificates</c>, <c>tlsAllowInvalidHostnames</c>).
    /// True allows them: for a local stack on one machine only. Default false. Other environments are not checked.
    /// </summary>
    public bool AllowInsecureTransport { get; set; }
}

/// <summary>
/// The Production rule for the connections to the broker and the database: TLS with every certificate check on, unless
/// <see cref="SecurityOptions.AllowInsecureTransport"/> says otherwise. Runs as options validation, so the start stops
/// with the key named before any connection is tried. The in-memory transport and Development are not concerned.
/// </summary>
public sealed class TransportSecurity(IHostEnvironment environment, IOptions<SecurityOptions> security, IOptions<MessagingOptions> messaging)
    : IValidateOptions<RabbitMqTransportOptions>, IValidateOptions<MongoDbOptions>
{
    const string OptOut = $"for a local stack only, {SecurityOptions.SectionName}:{nameof(SecurityOptions.AllowInsecureTransport)}=true allows it.";

    bool Enforced => environment.IsProduction() && !security.Value.AllowInsecureTransport;

    public ValidateOptionsResult Validate(string? name, RabbitMqTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enforced || messaging.Value.Transport != MessagingTransport.RabbitMq || options.UseSsl)
        {
            return ValidateOptionsResult.Success;
        }
        return ValidateOptionsResult.Fail(
            "RabbitMqTransport:UseSsl is false: plaintext AMQP is refused in Production. Connect over TLS (RabbitMqTransport:UseSsl=true, "
            + $"RabbitMqTransport:Port=5671, {BrokerTlsOptions.SectionName}:{nameof(BrokerTlsOptions.CaFile)} for a private CA); " + OptOut);
    }

    public ValidateOptionsResult Validate(string? name, MongoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enforced)
        {
            return ValidateOptionsResult.Success;
        }
        var insecure = MongoDbTls.InsecureSettings(options);
        return insecure.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(insecure.Select(failure => $"{failure} It is refused in Production; {OptOut}"));
    }
}

public static class TransportSecurityExtensions
{
    /// <summary>The <c>Security</c> options and the Production rule for the broker and the database (<see cref="TransportSecurity"/>).</summary>
    public static IHostApplicationBuilder AddTransportSecurity(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.SectionName);
        builder.Services.AddSingleton<TransportSecurity>();
        builder.Services.AddSingleton<IValidateOptions<RabbitMqTransportOptions>>(services => services.GetRequiredService<TransportSecurity>());
        builder.Services.AddSingleton<IValidateOptions<MongoDbOptions>>(services => services.GetRequiredService<TransportSecurity>());
        return builder;
    }
}
