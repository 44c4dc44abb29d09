namespace Milestones.Worker.Operations;

/// <summary>
/// Settings of the ops commands, bound from <c>Ops</c>; everything else (broker address, virtual host, TLS, queue
/// names, store) is the worker's own configuration.
/// <code>{ "Ops": { "BrokerUser": "milestones-ops", "StuckAfter": "00:05:00" } }</code>
/// The password comes from the environment or the secret file <c>Ops__BrokerPass</c>.
/// </summary>
public sealed class OpsOptions
{
    public const string SectionName = "Ops";

    /// <summary>
    /// The broker user the commands connect as: the ops user of <c>deploy/rabbitmq/broker-permissions.sh</c>, which may read
    /// the sink queues, publish to them and to the input exchanges, and has the <c>impersonator</c> tag (a moved message
    /// keeps its publisher's <c>user_id</c>). Default: none, and then <c>RabbitMqTransport:User</c> is used.
    /// </summary>
    public string? BrokerUser { get; set; }

    /// <summary>The ops user's password; default none, then <c>RabbitMqTransport:Pass</c> is used with <c>RabbitMqTransport:User</c>.</summary>
    public string? BrokerPass { get; set; }

    /// <summary>An outbox entry pending longer than this is listed as stuck. Default 5 minutes.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a sweep of a sink queue waits for the broker to deliver the messages it counted. Default 10 s.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
