using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Storage.Sqlite;
using Milestones.Worker.Consumers;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.FailureHandling;

/// <summary>
/// A store that cannot be written at all (here a real SQLite database that is full: its size limit, SQLite's
/// <c>max_page_count</c>, reached, as a full disk would) is an outage: the messages are held unacknowledged and
/// retried, none goes to the error queue, readiness answers 503 and the failures are counted as <c>outage</c>; once
/// there is room again every event is recorded, once. A failure that is neither a refusal nor an outage is counted as
/// <c>unexpected</c>, which is alerted on.
/// </summary>
public sealed class Store_outages(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    const string Failures = "milestones.record.failures";
    const string Outage = "milestones.store.outage";

    [Fact]
    public async Task A_full_database_holds_the_messages_and_says_not_ready_until_it_has_room_again()
    {
        var (worker, client) = await fixture.Start();
        using var metrics = new MetricRecorder(worker.Services, Failures, Outage);
        var store = worker.Services.GetRequiredService<SqliteMilestoneStore>();
        var first = Events.Valid(projectId: "subway-16-south", code: "construction-started");
        await client.PublishJson(Queues.InputExchange, first, first.EventId.ToString());
        await Poll.Until(() => worker.Store.HasEvent(first.EventId), TimeSpan.FromSeconds(20), () => "the first event was not recorded");
        Assert.Equal(HttpStatusCode.OK, (await worker.Http.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);

        // No room beyond the pages the file has: the events below, with the longest note allowed, cannot all fit.
        var events = Events.Stream(40).Select(e => e with { Note = new string('满', 2_000) }).ToList();
        var ids = events.Select(e => e.EventId.ToString()).ToHashSet();
        store.MaxSize = new FileInfo(store.Path).Length;
        try
        {
            await Task.WhenAll(events.Select(e => client.PublishJson(Queues.InputExchange, e, e.EventId.ToString())));

            await Poll.Until(async () => (await worker.Http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(30), () => "readiness did not report the full store");
            var held = worker.Store.CountEvents(events.Select(e => e.EventId));
            Assert.True(held < events.Count, "every event fit: the store never filled up");
            Assert.True(metrics.Sum(Failures, ("kind", StoreOutage.OutageKind)) > 0);
            Assert.Equal(1, metrics.Observe(Outage));
            Assert.Equal(0, metrics.Sum(Failures, ("kind", StoreOutage.UnexpectedKind)));
            // Held past the retry budget (3 tries): still not in the error queue, still in the input queue unacknowledged.
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
            // The broker's counts of a quorum queue trail it by up to its statistics interval (5 s): read until they show.
            var waiting = -1L;
            await Poll.Until(async () =>
            {
                var (readyCount, unacked) = await fixture.VirtualHost.QueueCounts(Queues.Input);
                waiting = readyCount + unacked;
                return waiting == events.Count - worker.Store.CountEvents(events.Select(e => e.EventId));
            }, TimeSpan.FromSeconds(20), () => $"{waiting} messages in the input queue, but {events.Count - worker.Store.CountEvents(events.Select(e => e.EventId))} events held");
            Assert.DoesNotContain(await client.Drain(Queues.Error), m => ids.Contains(m.Properties.MessageId ?? ""));
        }
        finally
        {
            // Room again, also when an assertion above failed: the class's other test shares this worker.
            store.MaxSize = null;
        }

        // Everything held is recorded, once, and the worker is ready.
        await Poll.Until(() => worker.Store.CountEvents(events.Select(e => e.EventId)) == events.Count, TimeSpan.FromSeconds(60),
            () => $"{worker.Store.CountEvents(events.Select(e => e.EventId))} of {events.Count} events recorded once there was room");
        await Poll.Until(async () => (await worker.Http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), () => "readiness did not recover");
        Assert.Equal(0, metrics.Observe(Outage));
        Assert.DoesNotContain(await client.Drain(Queues.Error), m => ids.Contains(m.Properties.MessageId ?? ""));
        await Poll.Until(async () => await fixture.VirtualHost.QueueCounts(Queues.Input) == (0, 0), TimeSpan.FromSeconds(10), () => "messages left in the input queue");
    }

    [Fact]
    public async Task A_failure_that_is_neither_a_refusal_nor_an_outage_is_counted_as_unexpected()
    {
        var (worker, client) = await fixture.Start();
        using var metrics = new MetricRecorder(worker.Services, Failures);
        var message = Events.Valid(projectId: "subway-16-south", code: "opened");
        fixture.FlakyStore!.FailCommits(message.EventId, int.MaxValue, () => new InvalidOperationException("a value this store cannot take"));

        await client.PublishJson(Queues.InputExchange, message, message.EventId.ToString());

        await client.WaitFor(Queues.Error, m => m.Properties.MessageId == message.EventId.ToString());
        // The first try and the 3 retries of the test worker (Messaging:RetryLimit=3), each counted.
        Assert.Equal(4, metrics.Sum(Failures, ("kind", StoreOutage.UnexpectedKind)));
        Assert.Equal(0, metrics.Sum(Failures, ("kind", StoreOutage.OutageKind)));
    }
}
