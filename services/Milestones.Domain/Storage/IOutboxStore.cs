using Milestones.Domain.Projects;

namespace Milestones.Domain.Storage;

/// <summary>
/// The pending messages written with state changes. A dispatcher claims a batch for a while (a lease, so that
/// replicas do not publish the same entries at once), publishes each with its deterministic message id, and
/// marks them sent. An entry whose lease ran out, because its dispatcher died, is claimed again.
/// </summary>
public interface IOutboxStore
{
    /// <summary>Claims up to <paramref name="maxCount"/> unsent entries, oldest first, for <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<OutboxEntry>> ClaimPending(string owner, int maxCount, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Marks entries as published.</summary>
    Task MarkSent(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt, CancellationToken cancellationToken);

    /// <summary>How many entries wait, and since when the oldest does.</summary>
    Task<OutboxBacklog> GetBacklog(CancellationToken cancellationToken);
}

/// <summary>A message waiting to be published.</summary>
/// <param name="MessageId">The transport message id: deterministic, so a repeated publish is recognisable.</param>
/// <param name="ProjectId">The project it is about.</param>
/// <param name="EnqueuedAt">When the state change that produced it was committed.</param>
/// <param name="Message">What to announce: a completion, a reopening, a target met, an overdue milestone, or a recorded event for the feed.</param>
/// <param name="TraceParent">
/// The W3C <c>traceparent</c> of the work that produced the entry, so that the later publish joins the trace of the
/// event that caused it; null when there was none. A plain string keeps the domain free of tracing types.
/// </param>
public sealed record OutboxEntry(Guid MessageId, string ProjectId, DateTimeOffset EnqueuedAt, ProjectAnnouncement Message, string? TraceParent = null)
{
    public static OutboxEntry For(ProjectAnnouncement message, DateTimeOffset now, string? traceParent = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message.MessageId, message.ProjectId, now, message, traceParent);
    }
}

/// <summary>The outbox's size and the enqueue time of its oldest entry.</summary>
public sealed record OutboxBacklog(long Count, DateTimeOffset? OldestEnqueuedAt);
