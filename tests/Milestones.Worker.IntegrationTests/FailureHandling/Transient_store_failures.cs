using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.FailureHandling;

/// <summary>
/// SPEC §6: a store that fails for a while (a database failover) makes the message retried with exponential backoff;
/// one that keeps failing ends with the message, intact, in the error queue: never lost. Guards the endpoint's
/// UseMessageRetry (without it the first failure goes straight to the error queue, with one attempt).
/// The worker in these tests retries 3 times (Messaging:RetryLimit=3), 50-400 ms apart.
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
}
