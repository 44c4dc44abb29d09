using System.Diagnostics.Metrics;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Milestones.Contracts;
using Milestones.Domain;
using Milestones.Domain.Catalog;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using Milestones.Storage.Sqlite;
using Milestones.Worker.Consumers;

namespace Milestones.Worker.Tests;

public class Publishing_completions_from_the_outbox
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static readonly Guid MetroCompletionId = DeterministicGuid.Create("milestones/project-completed/subway-16-south/1");

    [Fact]
    public async Task A_completion_committed_before_a_crash_is_published_after_restart()
    {
        var path = Path.Combine(Path.GetTempPath(), "milestones-tests", $"{Guid.NewGuid():N}.db");
        // The previous process committed the completion and died before its dispatcher ran.
        var catalog = ProjectCatalog.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog", "fengtai-2023.json"));
        var store = new SqliteMilestoneStore(path);
        var recorder = new MilestoneRecorder(store, catalog, new MilestoneValidator(catalog, TimeProvider.System, ValidationLimits.Default), TimeProvider.System);
        var outcome = await recorder.Record(Messages.MetroOpened().ToDomain("fengtai-pmo"), Cancel);
        Assert.NotNull(outcome.Completion);
        // The completion and the event feed's MilestoneRecorded of the report (the feed is on by default).
        Assert.Equal(2, (await store.GetBacklog(Cancel)).Count);

        await using var worker = new WorkerFactory(databasePath: path);
        var harness = await worker.Start();

        Assert.True(await harness.Published.Any<ProjectCompleted>(Cancel));
        Assert.Equal(MetroCompletionId, harness.Published.Select<ProjectCompleted>(Cancel).Single().Context.MessageId);
        Assert.True(await harness.Published.Any<MilestoneRecorded>(Cancel));
        var recorded = harness.Published.Select<MilestoneRecorded>(Cancel).Single();
        Assert.Equal(DeterministicGuid.Create($"milestones/milestone-recorded/{recorded.Context.Message.EventId:D}"), recorded.Context.MessageId);
        await Poll.Until(async () => (await store.GetBacklog(Cancel)).Count == 0, TimeSpan.FromSeconds(10), "an empty outbox");
    }

    [Fact]
    public async Task A_publish_repeated_because_marking_it_sent_failed_carries_the_same_message_id()
    {
        await using var worker = new WorkerFactory(services: s =>
        {
            s.RemoveAll<IOutboxStore>();
            s.AddSingleton<IOutboxStore>(p => new ForgetfulOutbox(p.GetRequiredService<SqliteMilestoneStore>()));
        });
        var harness = await worker.Start();
        using var publishes = new MetricCollector<long>(worker.Services.GetRequiredService<IMeterFactory>(), "Milestones", "milestones.completions.published");

        await harness.Bus.Publish(Messages.MetroOpened(), Cancel);

        // The harness lists a message id once, so the publishes are counted by the service's own metric.
        await Poll.Until(() => publishes.GetMeasurementSnapshot().EvaluateAsCounter() >= 2, TimeSpan.FromSeconds(10), "two publishes counted");
        var ids = harness.Published.Select<ProjectCompleted>(Cancel).Select(m => m.Context.MessageId).Distinct();
        Assert.Equal([MetroCompletionId], ids);
    }

    /// <summary>Loses the first "mark sent", as a process killed right after publishing would.</summary>
    sealed class ForgetfulOutbox(SqliteMilestoneStore inner) : IOutboxStore
    {
        int calls;

        public Task<IReadOnlyList<OutboxEntry>> ClaimPending(string owner, int maxCount, TimeSpan lease, CancellationToken cancellationToken) =>
            // A new owner each time, as a restarted process would be; the lease of the "dead" one is ignored.
            inner.ClaimPending(Guid.NewGuid().ToString(), maxCount, TimeSpan.FromTicks(1), cancellationToken);

        public Task MarkSent(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref calls) == 1
                ? throw new IOException("process killed before marking sent")
                : inner.MarkSent(messageIds, sentAt, cancellationToken);

        public Task<OutboxBacklog> GetBacklog(CancellationToken cancellationToken) => inner.GetBacklog(cancellationToken);
    }
}
