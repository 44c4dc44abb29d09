using MassTransit;
using Microsoft.Extensions.Options;

namespace Milestones.Worker.Messaging.RabbitMq;

/// <summary>
/// In Production, the worker refuses to start on RabbitMQ's default credentials (user <c>guest</c>, password
/// <c>guest</c>) or without a password, unless <see cref="MessagingOptions.AllowDefaultBrokerCredentials"/> says
/// otherwise, which is meant for a local stack only. The worker's own user, with permissions on its own exchanges and
/// queues only, is created by <c>deploy/rabbitmq/broker-permissions.sh</c>.
/// </summary>
public sealed class BrokerCredentials(IHostEnvironment environment, IOptions<MessagingOptions> messaging) : IValidateOptions<RabbitMqTransportOptions>
{
    public const string DefaultUser = "guest";
    public const string DefaultPassword = "guest";

    public ValidateOptionsResult Validate(string? name, RabbitMqTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = messaging.Value;
        if (!environment.IsProduction() || settings.Transport != MessagingTransport.RabbitMq || settings.AllowDefaultBrokerCredentials)
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
        if (string.Equals(options.User, DefaultUser, StringComparison.Ordinal) || string.IsNullOrEmpty(options.User))
        {
            failures.Add($"RabbitMqTransport:User is '{options.User}', RabbitMQ's default user; it is refused in Production.");
        }
        if (string.IsNullOrEmpty(options.Pass))
        {
            failures.Add("RabbitMqTransport:Pass is empty; it is refused in Production.");
        }
        else if (string.Equals(options.Pass, DefaultPassword, StringComparison.Ordinal))
        {
            failures.Add("RabbitMqTransport:Pass is RabbitMQ's default password 'guest'; it is refused in Production.");
        }
        if (failures.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }
        failures.Add("Connect as the worker's own user (created with deploy/rabbitmq/broker-permissions.sh), its password in the secret file "
            + "RabbitMqTransport__Pass; for a local stack only, Messaging:AllowDefaultBrokerCredentials=true allows the defaults.");
        return ValidateOptionsResult.Fail(failures);
    }
}
