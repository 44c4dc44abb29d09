using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.FailureHandling;

/// <summary>
/// A redelivered event (same id, same payload) is acknowledged without effect; the same id with another
/// payload is a conflict and goes to the error queue with the reason <c>conflict</c>. Guards the recorder's
/// fingerprint comparison on the store's unique event id, and the reason header for the conflict.
/// </summary>
public sealed class Duplicate_events(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task Same_id_and_payload_is_acknowledged_without_effect()
    {
        var (worker, client) = await fixture.Start();
        var original = Events.Valid(code: "plan-approved", note: "批复");
        await client.PublishJson(Queues.InputExchange, original, original.EventId.ToString());
        await Poll.Until(() => worker.Store.HasEvent(original.EventId), TimeSpan.FromSeconds(20));
        var before = worker.Store.CountEvents();

        await client.PublishJson(Queues.InputExchange, original, original.EventId.ToString());
        await Poll.Until(() => worker.ConsumerLines(original.EventId).Any(l => l.Message.Contains("already recorded", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), () => "the second delivery was not recognised as a duplicate");

        Assert.Equal(before, worker.Store.CountEvents());
        Assert.DoesNotContain(worker.ConsumerLines(original.EventId), l => l.Message.StartsWith("Rejected", StringComparison.Ordinal));
        Assert.DoesNotContain(await client.Drain(Queues.Error), m => m.Properties.MessageId == original.EventId.ToString());
    }

    [Fact]
    public async Task Same_id_with_another_payload_goes_to_the_error_queue_as_a_conflict()
    {
        var (worker, client) = await fixture.Start();
        var original = Events.Valid(code: "topped-out", note: "结构封顶");
        await client.PublishJson(Queues.InputExchange, original, original.EventId.ToString());
        await Poll.Until(() => worker.Store.HasEvent(original.EventId), TimeSpan.FromSeconds(20));

        var conflicting = original with { Note = "a different story" };
        await client.PublishJson(Queues.InputExchange, conflicting, conflicting.EventId.ToString());

        var error = await client.WaitFor(Queues.Error, m => m.Properties.MessageId == original.EventId.ToString());
        Assert.Equal("conflict", error.Header(MilestonesHeaders.RejectionReason));
        Assert.Equal("a different story", error.JsonBody.GetProperty("note").GetString());
        Assert.Single(worker.ConsumerLines(original.EventId), l => l.Message.StartsWith("Rejected", StringComparison.Ordinal));
        var timeline = await worker.Http.GetStringAsync("/projects/lize-city-terminal/events", TestContext.Current.CancellationToken);
        Assert.Contains("结构封顶", timeline, StringComparison.Ordinal);
        Assert.DoesNotContain("a different story", timeline, StringComparison.Ordinal);
    }
}
