using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Options;
using Milestones.Contracts;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Worker.Messaging;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Outbox;

/// <summary>
/// Publishes the entries that commits left in the outbox, each with its deterministic message id, then marks them
/// sent. A crash between the publish and the mark re-publishes the same message id after restart: consumers
/// de-duplicate on it. On shutdown it stops the consumers, then empties the outbox while the bus can still publish.
/// </summary>
public sealed partial class OutboxDispatcher(
    IOutboxStore store,
    IBus bus,
    ProjectCatalog catalog,
    OutboxSignal signal,
    Intake intake,
    MilestonesTelemetry telemetry,
    TimeProvider time,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    readonly string owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    DateTimeOffset lastBacklogSample = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleBacklog(settings, stoppingToken);
                // A batch under way when the host stops is finished, each publish within Outbox:PublishTimeout: cancelled,
                // its publishes would be logged as faults by MassTransit and published again by the flush.
                var published = await DispatchBatch(settings, CancellationToken.None);
                if (published == settings.BatchSize)
                {
                    continue;
                }
                await signal.Wait(settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Broker or store unavailable: the entries stay pending and are tried again.
                LogDispatchFailed(ex);
                try
                {
                    await Task.Delay(settings.PollInterval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Hosted services stop in reverse order, so the bus (registered first) is still up here, and still consuming. So
        // the consumers are stopped first: after that nothing adds to the outbox, and the flush can empty it, bounded by
        // Outbox:StopFlushTimeout. What is left waits in the outbox for the next start or another replica.
        await intake.Stop(cancellationToken);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(options.Value.StopFlushTimeout);
        try
        {
            while (await DispatchBatch(options.Value, budget.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogFlushCut(options.Value.StopFlushTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDispatchFailed(ex);
        }
    }

    /// <summary>
    /// Publishes one claimed batch; returns how many were published. The batch goes out in lanes published side by side,
    /// so that confirmations are awaited together rather than one round trip after another: a project's announcements
    /// are one lane, published one after another in the order they were committed (a completion before the reopening
    /// that follows it); each feed entry is a lane of its own, as it stands alone (its event's id and times).
    /// </summary>
    internal async Task<int> DispatchBatch(OutboxOptions settings, CancellationToken cancellationToken)
    {
        var entries = await store.ClaimPending(owner, settings.BatchSize, settings.Lease, cancellationToken);
        if (entries.Count == 0)
        {
            return 0;
        }
        using var activity = MilestonesTracing.StartOutboxDispatch(entries);
        var sent = new ConcurrentQueue<Guid>();
        try
        {
            await Task.WhenAll(entries.GroupBy(Lane).Select(async lane =>
            {
                foreach (var entry in lane)
                {
                    if (await TryPublish(entry, settings, cancellationToken))
                    {
                        sent.Enqueue(entry.MessageId);
                    }
                }
            }));
        }
        catch (Exception ex)
        {
            activity.RecordFailure(ex);
            // What was confirmed before the failure is marked sent all the same, so it is not published twice.
            await MarkSent([.. sent]);
            throw;
        }
        await MarkSent([.. sent]);
        return sent.Count;
    }

    static (string ProjectId, Guid? FeedEntry) Lane(OutboxEntry entry) =>
        (entry.ProjectId, entry.Message is EventRecordedNotice ? entry.MessageId : null);

    /// <summary>
    /// Publishes one entry; false when the broker did not take it (unroutable, refused, or not confirmed in time): the
    /// entry stays pending under this dispatcher's lease, and this dispatcher claims it again, first, on its next pass
    /// (another replica only once the lease has ended). Anything else, such as a lost connection, fails the batch.
    /// </summary>
    async Task<bool> TryPublish(OutboxEntry entry, OutboxOptions settings, CancellationToken cancellationToken)
    {
        using var publishTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        publishTimeout.CancelAfter(settings.PublishTimeout);
        try
        {
            await Publish(entry, publishTimeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (publishTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Not confirmed in time (a full reject-publish queue may never confirm).
            telemetry.OutboxRefused.Add(1);
            LogRefused(entry.ProjectId, entry.MessageId);
        }
        catch (Exception ex) when (OutboxPublishFailures.IsUnroutable(ex))
        {
            // No queue would receive it.
            telemetry.OutboxUnroutable.Add(1);
            LogUnroutable(entry.ProjectId, entry.MessageId);
        }
        catch (Exception ex) when (OutboxPublishFailures.IsRefused(ex))
        {
            // A full bounded queue refused it.
            telemetry.OutboxRefused.Add(1);
            LogRefused(entry.ProjectId, entry.MessageId);
        }
        return false;
    }

    // Not cancellable: once published, an entry is marked sent even while the host stops, or the flush on
    // stop would publish it again (harmless with its deterministic id, but noise for every consumer).
    Task MarkSent(IReadOnlyList<Guid> sent) =>
        sent.Count == 0 ? Task.CompletedTask : store.MarkSent(sent, time.GetUtcNow(), CancellationToken.None);

    /// <summary>
    /// Publishes one entry inside a span that continues the trace the entry was committed in. A method of its own so
    /// that the span is current only here: an async method's changes to <see cref="System.Diagnostics.Activity.Current"/>
    /// do not flow back to its caller, so the next entry starts from the batch span again.
    /// </summary>
    async Task Publish(OutboxEntry entry, CancellationToken cancellationToken)
    {
        using var activity = MilestonesTracing.StartOutboxPublish(entry);
        try
        {
            var name = catalog.TryGet(entry.ProjectId, out var project) ? project.NameZh : entry.ProjectId;
            switch (entry.Message)
            {
                case ProjectCompletion completion:
                    await bus.Publish(completion.ToContract(name), context => context.MessageId = entry.MessageId, cancellationToken);
                    telemetry.CompletionsPublished.Add(1);
                    LogPublished(nameof(ProjectCompleted), entry.ProjectId, completion.CompletionNumber, entry.MessageId);
                    break;
                case ProjectReopening reopening:
                    await bus.Publish(reopening.ToContract(name), context => context.MessageId = entry.MessageId, cancellationToken);
                    telemetry.ReopeningsPublished.Add(1);
                    LogPublished(nameof(ProjectReopened), entry.ProjectId, reopening.ReopenNumber, entry.MessageId);
                    break;
                case TargetAchievement achievement:
                    await bus.Publish(achievement.ToContract(name), context => context.MessageId = entry.MessageId, cancellationToken);
                    telemetry.TargetsMetPublished.Add(1);
                    LogPublished(nameof(TargetMet), entry.ProjectId, achievement.Number, entry.MessageId);
                    break;
                case OverdueNotice notice:
                    await bus.Publish(notice.ToContract(name), context => context.MessageId = entry.MessageId, cancellationToken);
                    telemetry.OverduePublished.Add(1);
                    LogPublishedOverdue(entry.ProjectId, notice.MilestoneCode, notice.Due, entry.MessageId);
                    break;
                case EventRecordedNotice recorded:
                    await bus.Publish(recorded.ToContract(), context => context.MessageId = entry.MessageId, cancellationToken);
                    telemetry.RecordedPublished.Add(1);
                    // Debug: one a recorded event, as frequent as the events themselves (their own line is Debug too).
                    LogPublishedRecorded(entry.ProjectId, recorded.Event.EventId, entry.MessageId);
                    break;
                default:
                    throw new InvalidOperationException($"Outbox entry {entry.MessageId} holds a {entry.Message.GetType().Name}, which has no contract.");
            }
        }
        catch (Exception ex)
        {
            activity.RecordFailure(ex);
            throw;
        }
    }

    /// <summary>
    /// Reads the outbox's size and oldest entry for the gauges, at most once per <see cref="OutboxOptions.BacklogSampleInterval"/>.
    /// A failed reading is logged and leaves the last one in place; dispatch goes on regardless.
    /// </summary>
    async Task SampleBacklog(OutboxOptions settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - lastBacklogSample < settings.BacklogSampleInterval)
        {
            return;
        }
        lastBacklogSample = now;
        try
        {
            telemetry.SampleBacklog(await store.GetBacklog(cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogBacklogFailed(ex);
        }
    }

    [LoggerMessage(LogLevel.Information, "Stopped flushing the outbox after {Budget}: what is left is published by the next start or another replica")]
    partial void LogFlushCut(TimeSpan budget);

    [LoggerMessage(LogLevel.Information, "Published {MessageType} for {ProjectId} (number {Number}, message {MessageId})")]
    partial void LogPublished(string messageType, string projectId, int number, Guid messageId);

    [LoggerMessage(LogLevel.Information, "Published MilestoneOverdue for {ProjectId}: {MilestoneCode} due {Due} (message {MessageId})")]
    partial void LogPublishedOverdue(string projectId, string milestoneCode, DateOnly due, Guid messageId);

    [LoggerMessage(LogLevel.Debug, "Published MilestoneRecorded for {ProjectId} (event {EventId}, message {MessageId})")]
    partial void LogPublishedRecorded(string projectId, Guid eventId, Guid messageId);

    [LoggerMessage(LogLevel.Warning, "The broker refused the message {MessageId} for project {ProjectId} (a bounded queue is full); it stays in the outbox and is published again later")]
    partial void LogRefused(string projectId, Guid messageId);

    [LoggerMessage(LogLevel.Warning, "No queue is bound to receive the message {MessageId} for project {ProjectId}; it stays in the outbox and is published again later")]
    partial void LogUnroutable(string projectId, Guid messageId);

    [LoggerMessage(LogLevel.Warning, "Outbox dispatch failed; pending entries will be retried")]
    partial void LogDispatchFailed(Exception exception);

    [LoggerMessage(LogLevel.Warning, "Reading the outbox backlog failed; its gauges keep the last reading")]
    partial void LogBacklogFailed(Exception exception);
}
