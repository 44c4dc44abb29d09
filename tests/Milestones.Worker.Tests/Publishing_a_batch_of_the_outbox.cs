using System.Reflection;
using MassTransit;
using Milestones.Contracts;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Worker.Outbox;
using Milestones.Worker.Telemetry;

namespace Milestones.Worker.Tests;

/// <summary>
/// The dispatcher publishes a claimed batch in lanes side by side (confirmations awaited together, not one round trip
/// after another): a project's announcements in the order they were committed, each feed entry on its own. Guards the
/// lanes of OutboxDispatcher.DispatchBatch: published one after another, everything would wait for the first
/// unconfirmed publish; published all at once, a project's second completion could overtake its first; with one lane
/// per project, its feed entries would wait behind its announcements (and the feed would not keep up).
/// </summary>
public class Publishing_a_batch_of_the_outbox
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Projects_and_feed_entries_are_published_side_by_side_and_each_projects_announcements_in_order()
    {
        var catalog = ProjectCatalog.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog", "fengtai-2023.json"));
        var entries = new[] { Entry("subway-16-south", 1), Entry("subway-16-south", 2), Feed("subway-16-south"), Entry("lize-city-terminal", 1) };
        var store = new ClaimedBatch(entries);
        var bus = HoldingBus.Create(held: ("subway-16-south", 1));
        var holding = (HoldingBus)(object)bus;
        using var meters = new MeterFactory();
        using var telemetry = new MilestonesTelemetry(meters, TimeProvider.System, catalog);
        using var dispatcher = store.Dispatcher(bus, catalog, telemetry);

        var dispatching = dispatcher.DispatchBatch(new OutboxOptions(), Cancel);

        // The other project, and the project's own feed entry, are published while the first completion of
        // subway-16-south waits for its confirmation...
        await Poll.Until(() => holding.Started.Contains(("lize-city-terminal", 1)) && holding.Started.Contains(("subway-16-south", Fed)),
            TimeSpan.FromSeconds(10), () => $"started: {string.Join(", ", holding.Started)}");
        // ...and the project's second completion waits behind its first.
        Assert.DoesNotContain(("subway-16-south", 2), holding.Started);
        Assert.False(dispatching.IsCompleted);

        holding.Release();
        Assert.Equal(4, await dispatching);
        Assert.Equal([1, 2], holding.Started.Where(p => p is { ProjectId: "subway-16-south", Number: > 0 }).Select(p => p.Number));
        Assert.Equal(entries.Select(e => e.MessageId).Order(), store.Sent.Order());
    }

    static OutboxEntry Entry(string projectId, int number)
    {
        var at = new DateTimeOffset(2022, 12, 31, 12, 0, 0, TimeSpan.FromHours(8));
        var completion = new ProjectCompletion(projectId, number, at, [new ReachedMilestone("opened", at, Guid.NewGuid(), "metro-operator", at)], Guid.NewGuid());
        return OutboxEntry.For(completion, at);
    }

    /// <summary>The number <see cref="HoldingBus"/> records for a feed entry.</summary>
    const int Fed = 0;

    static OutboxEntry Feed(string projectId)
    {
        var at = new DateTimeOffset(2022, 12, 31, 12, 0, 0, TimeSpan.FromHours(8));
        var record = new EventRecord(Guid.NewGuid(), projectId, "opened", at, at, "metro-operator", null, null, "fingerprint", at);
        return OutboxEntry.For(new EventRecordedNotice(record, Changed: true, ProjectComplete: true), at);
    }

    /// <summary>
    /// An <see cref="IBus"/> that confirms every completion and feed entry at once except one completion, which it holds
    /// until released. A feed entry is recorded with the number <see cref="Fed"/>.
    /// </summary>
    public class HoldingBus : DispatchProxy
    {
        readonly TaskCompletionSource confirmation = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly Lock gate = new();
        readonly List<(string ProjectId, int Number)> started = [];
        (string, int) held;

        /// <summary>Completions and feed entries whose publish has begun, in that order.</summary>
        public IReadOnlyList<(string ProjectId, int Number)> Started
        {
            get
            {
                lock (gate)
                {
                    return [.. started];
                }
            }
        }

        public static IBus Create((string ProjectId, int Number) held)
        {
            var bus = Create<IBus, HoldingBus>();
            ((HoldingBus)(object)bus).held = held;
            return bus;
        }

        public void Release() => confirmation.SetResult();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name == nameof(IBus.Publish) && args?[0] is ProjectCompleted completed)
            {
                var key = (completed.ProjectId, completed.CompletionNumber);
                lock (gate)
                {
                    started.Add(key);
                }
                return key == held ? confirmation.Task : Task.CompletedTask;
            }
            if (targetMethod?.Name == nameof(IBus.Publish) && args?[0] is MilestoneRecorded recorded)
            {
                lock (gate)
                {
                    started.Add((recorded.ProjectId, Fed));
                }
                return Task.CompletedTask;
            }
            throw new NotSupportedException(targetMethod?.Name);
        }
    }
}
