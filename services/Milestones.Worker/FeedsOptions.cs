using System.ComponentModel.DataAnnotations;
using Milestones.Contracts;

namespace Milestones.Worker;

/// <summary>
/// The feeds for downstream systems, bound from <c>Feeds</c>:
/// <code>{ "Feeds": { "MilestoneRecorded": true, "MilestoneRecordedQueue": "milestones.milestone-recorded.feed" } }</code>
/// </summary>
public sealed class FeedsOptions
{
    public const string SectionName = "Feeds";

    /// <summary>The default of <see cref="MilestoneRecordedQueue"/>.</summary>
    public const string DefaultMilestoneRecordedQueue = WireNames.MilestoneRecordedExchange + ".feed";

    /// <summary>
    /// One <see cref="Contracts.MilestoneRecorded"/> per recorded event (reports, retractions, progress reports,
    /// registrations), through the outbox, to <c>milestones.milestone-recorded</c>. Default true. Off, the recorder
    /// writes no feed entries at all.
    /// </summary>
    public bool MilestoneRecorded { get; set; } = true;

    /// <summary>
    /// RabbitMQ only: a durable quorum queue the worker declares at start and binds to <c>milestones.milestone-recorded</c>,
    /// so that the feed always has a receiver. An outbox entry that no queue would receive is never marked sent, so
    /// without one the default deployment's outbox would keep every feed entry. Projections consume it or bind queues of
    /// their own. The broker bounds it by policy with <c>overflow: reject-publish</c>
    /// (<c>deploy/rabbitmq/broker-permissions.sh</c>), so a full feed refuses new entries, which stay in the outbox.
    /// Empty: no queue is declared (the subscribers bind their own). Default <c>milestones.milestone-recorded.feed</c>.
    /// </summary>
    [RegularExpression("^([A-Za-z0-9._-]+)?$")]
    public string MilestoneRecordedQueue { get; set; } = DefaultMilestoneRecordedQueue;
}
