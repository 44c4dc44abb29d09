using System.ComponentModel.DataAnnotations;
using Milestones.Worker.Messaging.RabbitMq;

namespace Milestones.Worker.Messaging;

/// <summary>
/// Which transport carries the messages and how the input endpoint is tuned, bound from <c>Messaging</c>:
/// <code>{ "Messaging": { "Transport": "RabbitMq", "QueueName": "milestones-worker", "PrefetchCount": 256, "DeliveryLimit": 5, "StopTimeout": "00:00:20" } }</code>
/// The broker's address and credentials are MassTransit's own <c>RabbitMqTransport</c> section.
/// </summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>The transport. No default: production and development name theirs explicitly, so nothing falls back silently.</summary>
    [Required]
    public MessagingTransport? Transport { get; set; }

    /// <summary>The input queue. Default <c>milestones-worker</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]+$")]
    public string QueueName { get; set; } = "milestones-worker";

    /// <summary>
    /// Messages the broker may push to one replica before they are acknowledged. Default 256: twice
    /// <see cref="ConcurrentMessageLimit"/>, so the consumers never wait for the broker; a crash returns at most this
    /// many messages, which then pass through quarantine one at a time (one store write each).
    /// </summary>
    [Range(1, 10_000)]
    public int PrefetchCount { get; set; } = 256;

    /// <summary>
    /// Messages consumed at once by one replica. Default 128. Their events are recorded in batches (whatever the
    /// consumers hand over while the previous batch is written makes the next one, one store write each), so this is
    /// also the largest batch a replica writes in steady state (docs/benchmarks.md).
    /// </summary>
    [Range(1, 10_000)]
    public int ConcurrentMessageLimit { get; set; } = 128;

    /// <summary>
    /// RabbitMQ only: how many times the broker may hand a message back after a consumer died holding it, before it
    /// dead-letters the message to <c>&lt;QueueName&gt;_dlq</c> (the quorum queue's <c>x-delivery-limit</c>; RabbitMQ 3.x
    /// has no default, so without it a message that kills the process would be redelivered forever). It applies to
    /// the quarantine queue, where a message is held alone, so a poison message costs at most 1 + (this + 1) crashes.
    /// Default 5.
    /// </summary>
    [Range(1, 1_000)]
    public int DeliveryLimit { get; set; } = 5;

    /// <summary>
    /// RabbitMQ only: the delivery limit of the input queue itself, a backstop. It is higher than
    /// <see cref="DeliveryLimit"/> because a crash counts against every message the replica holds, and on the
    /// input queue a replica holds up to <see cref="PrefetchCount"/> messages that did nothing wrong; each is moved
    /// to quarantine on its next delivery. Default 20. Used for the input queue only while
    /// <see cref="QuarantineRedeliveries"/> is on; otherwise the input queue has <see cref="DeliveryLimit"/>.
    /// </summary>
    [Range(1, 1_000)]
    public int InputDeliveryLimit { get; set; } = 20;

    /// <summary>
    /// RabbitMQ only: a message the broker hands back after a crash or a lost connection is moved to
    /// <c>&lt;QueueName&gt;_quarantine</c> and consumed there one at a time, so that a message that kills the process
    /// uses up its own delivery limit and not that of the messages fetched alongside it. Default true.
    /// </summary>
    public bool QuarantineRedeliveries { get; set; } = true;

    /// <summary>How long stopping waits for messages in flight to finish before the bus gives up on them. Default 20 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// In Production the worker refuses RabbitMQ's default credentials (<c>guest</c>/<c>guest</c>) and an empty password
    /// (<see cref="BrokerCredentials"/>). True allows them: for a local stack only, never for a shared broker. Default false.
    /// </summary>
    public bool AllowDefaultBrokerCredentials { get; set; }

    /// <summary>
    /// Largest message body the input endpoints read, in bytes. A larger body is refused before it is deserialized:
    /// moved to the error queue with the reason <c>too-large</c> and counted. Default 64 KiB; a valid
    /// <c>MilestoneReached</c> is at most about 10 KiB (a 2 000-character note, a 2 048-character link).
    /// Below <see cref="RabbitMqTopology.ClientMaxMessageBodySize"/>, the client's own ceiling.
    /// </summary>
    [Range(1_024, 16 * 1024 * 1024)]
    public int MaxMessageBodySize { get; set; } = 64 * 1024;

    /// <summary>Attempts after the first for a transient failure (store unavailable, lost version race). Default 5.</summary>
    [Range(0, 100)]
    public int RetryLimit { get; set; } = 5;

    /// <summary>First retry interval; intervals grow exponentially. Default 200 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryMinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest retry interval. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A message must carry a broker-validated publisher identity (the AMQP <c>user_id</c>, which RabbitMQ checks against
    /// the connection's user); one without it is refused as <c>unauthenticated-source</c>. Default true. It may be turned
    /// off in the Development environment, or with the in-memory transport (no broker users; only code inside the process
    /// can publish); the service refuses to start on RabbitMQ in any other environment with it off. Off, the body's
    /// <c>sourceSystem</c> is taken as the source.
    /// </summary>
    public bool RequirePublisherIdentity { get; set; } = true;

    /// <summary>The input queue of retractions, consumed one at a time: <c>&lt;QueueName&gt;-retractions</c>.</summary>
    public string RetractionQueueName => QueueName + "-retractions";

    /// <summary>The input queue of progress reports, consumed one at a time: <c>&lt;QueueName&gt;-progress</c>.</summary>
    public string ProgressQueueName => QueueName + "-progress";

    /// <summary>The input queue of catalog registrations, consumed one at a time: <c>&lt;QueueName&gt;-registrations</c>.</summary>
    public string RegistrationQueueName => QueueName + "-registrations";

    /// <summary>Growth step of the exponential backoff. Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryIntervalDelta { get; set; } = TimeSpan.FromMilliseconds(500);
}

public enum MessagingTransport
{
    InMemory,
    RabbitMq,
}
