using Milestones.Domain.Storage;

namespace Milestones.Worker.Telemetry;

/// <summary>Puts a span around the outbox store's calls, when they are made inside a trace (idle polls are not).</summary>
public sealed class TracingOutboxStore(IOutboxStore inner) : IOutboxStore
{
    public const string ClaimSpan = "outbox claim";
    public const string MarkSentSpan = "outbox mark_sent";
    public const string BacklogSpan = "outbox backlog";

    /// <summary>The store that does the work.</summary>
    public IOutboxStore Inner => inner;

    public async Task<IReadOnlyList<OutboxEntry>> ClaimPending(string owner, int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        using var activity = StoreTracing.StartChild(ClaimSpan);
        return await StoreTracing.Run(activity, () => inner.ClaimPending(owner, maxCount, lease, cancellationToken)).ConfigureAwait(false);
    }

    public async Task MarkSent(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        using var activity = StoreTracing.StartChild(MarkSentSpan)?.SetTag(MilestonesTracing.BatchSizeTag, messageIds.Count);
        await StoreTracing.Run(activity, async () =>
        {
            await inner.MarkSent(messageIds, sentAt, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    public async Task<OutboxBacklog> GetBacklog(CancellationToken cancellationToken)
    {
        using var activity = StoreTracing.StartChild(BacklogSpan);
        return await StoreTracing.Run(activity, () => inner.GetBacklog(cancellationToken)).ConfigureAwait(false);
    }
}
