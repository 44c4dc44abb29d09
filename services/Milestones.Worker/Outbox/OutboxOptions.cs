using System.ComponentModel.DataAnnotations;

namespace Milestones.Worker.Outbox;

/// <summary>How the outbox dispatcher runs, bound from <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>How often the outbox is checked when nothing signals new entries (entries left by a crash or by another replica). Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Entries claimed at once. Default 100.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a claim keeps other dispatchers off the entries. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the dispatcher reads the outbox's size and oldest entry for the <c>milestones.outbox.*</c> gauges, which
    /// report the last reading: a metrics scrape never queries the store. Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan BacklogSampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one publish may wait for the broker's confirmation before the entry is left pending and the batch goes
    /// on. A queue that is full with <c>overflow: reject-publish</c> (the feed's queue whose readers fell behind) may
    /// never confirm it: observed with MassTransit 8.5 on RabbitMQ 3.10, the publish waits, and without this bound it
    /// would hold back every later entry, completions included. Default 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// On shutdown, once the consumers have stopped, how long the dispatcher goes on emptying the outbox while the bus can
    /// still publish. What is left waits in the outbox for the next start or another replica. Default 2 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan StopFlushTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
