using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.FailureHandling;

/// <summary>
/// A store that fails for a while (a database failover) makes the message retried with exponential backoff;
/// one that keeps failing ends with the message, intact, in the error queue: never lost. Guards the endpoint's
/// UseMessageRetry (without it the first failure goes straight to the error queue, with one attempt).
/// The worker in these tests retries 3 times (Messaging:RetryLimit=3), 50-400 ms apart. A failure that is not an outage
/// fails only the message whose event caused it, not the others recorded in the same batch (RecordingIntake).
/// </summary>
public sealed class Transient_store_failures(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task A_store_that_recovers_gets_the_event_applied_by_a_retry()
    {
        var (worker, client) = await fixture.Start();
        var message = Events.Valid(projectId: "subway-16-south", code: "completed");
        fixture.FlakyStore!.FailCommits(message.EventId, 2);

        await client.PublishJson(Queues.InputExchange, message, message.EventId.ToString());

        await Poll.Until(() => worker.Store.HasEvent(message.EventId), TimeSpan.FromSeconds(20), () => "the event was not applied after the store recovered");
        Assert.Equal(3, fixture.FlakyStore.Attempts(message.EventId));
        Assert.DoesNotContain(await client.Drain(Queues.Error), m => m.Properties.MessageId == message.EventId.ToString());
    }

    [Fact]
    public async Task A_store_that_stays_down_leaves_the_message_intact_in_the_error_queue()
    {
        var (worker, client) = await fixture.Start();
        var message = Events.Valid(projectId: "subway-16-south", code: "construction-started", note: "主体开工");
        fixture.FlakyStore!.FailCommits(message.EventId, int.MaxValue);

        await client.PublishJson(Queues.InputExchange, message, message.EventId.ToString());

        var error = await client.WaitFor(Queues.Error, m => m.Properties.MessageId == message.EventId.ToString());
        Assert.Equal(message, System.Text.Json.JsonSerializer.Deserialize<Contracts.MilestoneReached>(error.Body, RabbitClient.Json));
        Assert.Equal(typeof(IOException).FullName, error.Header("MT-Fault-ExceptionType"));
        Assert.Null(error.Header(MilestonesHeaders.RejectionReason));
        Assert.Equal(4, fixture.FlakyStore.Attempts(message.EventId));
        Assert.False(worker.Store.HasEvent(message.EventId));
    }

    [Fact]
    public async Task A_store_outage_longer_than_the_retry_budget_holds_the_message_until_the_store_is_back()
    {
        var (worker, client) = await fixture.Start();
        var message = Events.Valid(projectId: "subway-16-south", code: "construction-started");
        // Twice the retry budget (3), failing the way the MongoDB driver does when no server can be selected.
        fixture.FlakyStore!.FailCommits(message.EventId, 8, () => new TimeoutException("A timeout occurred after 30000ms selecting a server"));

        await client.PublishJson(Queues.InputExchange, message, message.EventId.ToString());

        await Poll.Until(() => worker.Store.HasEvent(message.EventId), TimeSpan.FromSeconds(30), () => "the event was not applied once the store was back");
        Assert.Equal(9, fixture.FlakyStore.Attempts(message.EventId));
        Assert.DoesNotContain(await client.Drain(Queues.Error), m => m.Properties.MessageId == message.EventId.ToString());
    }

    [Fact]
    public async Task A_failure_of_one_event_fails_its_message_alone_not_the_others_of_its_batch()
    {
        var (worker, client) = await fixture.Start();
        var events = Events.Stream(60);
        var failing = events[30];
        // Not an outage: a failure of this one event, as a value the store cannot take would be.
        fixture.FlakyStore!.FailCommits(failing.EventId, int.MaxValue, () => new InvalidOperationException("this event cannot be stored"));

        await Task.WhenAll(events.Select(e => client.PublishJson(Queues.InputExchange, e, e.EventId.ToString())));

        var error = await client.WaitFor(Queues.Error, m => m.Properties.MessageId == failing.EventId.ToString());
        Assert.Equal(typeof(InvalidOperationException).FullName, error.Header("MT-Fault-ExceptionType"));
        var others = events.Where(e => e != failing).Select(e => e.EventId).ToList();
        await Poll.Until(() => others.All(worker.Store.HasEvent), TimeSpan.FromSeconds(20),
            () => $"{others.Count(worker.Store.HasEvent)} of {others.Count} other events recorded");
        var othersIds = others.Select(id => id.ToString()).ToHashSet();
        Assert.DoesNotContain(await client.Drain(Queues.Error), m => othersIds.Contains(m.Properties.MessageId ?? ""));
        Assert.False(worker.Store.HasEvent(failing.EventId));
    }
}
