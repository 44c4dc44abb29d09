using System.ComponentModel.DataAnnotations;

namespace Milestones.Worker.Messaging;

/// <summary>
/// Which transport carries the messages and how the input endpoint is tuned, bound from <c>Messaging</c>:
/// <code>{ "Messaging": { "Transport": "RabbitMq", "QueueName": "milestones-worker", "PrefetchCount": 64 } }</code>
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

    /// <summary>Messages the broker may push before they are acknowledged. Default 64.</summary>
    [Range(1, 10_000)]
    public int PrefetchCount { get; set; } = 64;

    /// <summary>Messages consumed at once by one replica. Default 32.</summary>
    [Range(1, 10_000)]
    public int ConcurrentMessageLimit { get; set; } = 32;
}

public enum MessagingTransport
{
    InMemory,
    RabbitMq,
}
