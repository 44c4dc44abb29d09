using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Milestones.Domain.Catalog;
using Milestones.Domain.Storage;
using Milestones.Worker.Messaging;
using Milestones.Worker.Outbox;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Tests;

/// <summary>
/// An outbox that hands out the same batch on every claim and records what is marked sent, for tests of one
/// <see cref="OutboxDispatcher.DispatchBatch"/> over a bus of their own.
/// </summary>
sealed class ClaimedBatch(IReadOnlyList<OutboxEntry> entries) : IOutboxStore
{
    public List<Guid> Sent { get; } = [];

    /// <summary>A dispatcher over this outbox, with default options.</summary>
    public OutboxDispatcher Dispatcher(IBus bus, ProjectCatalog catalog, MilestonesTelemetry telemetry) =>
        new(this, bus, catalog, new OutboxSignal(), new Intake(Options.Create(new MessagingOptions()), NullLogger<Intake>.Instance),
            telemetry, TimeProvider.System, Options.Create(new OutboxOptions()), NullLogger<OutboxDispatcher>.Instance);

    public Task<IReadOnlyList<OutboxEntry>> ClaimPending(string owner, int maxCount, TimeSpan lease, CancellationToken cancellationToken) =>
        Task.FromResult(entries);

    public Task MarkSent(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        Sent.AddRange(messageIds);
        return Task.CompletedTask;
    }

    public Task<OutboxBacklog> GetBacklog(CancellationToken cancellationToken) => Task.FromResult(new OutboxBacklog(0, null));
}
