using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.FailureHandling;

/// <summary>
/// Bytes that are not a MilestoneReached go to the error queue (malformed JSON, a wrong field type, a
/// missing required property) or, for a message type the worker does not consume, to the skipped queue; and the
/// consumer keeps consuming. Guards the error pipe's reason header for unreadable bodies and MassTransit's
/// move-to-error/skipped behaviour on this topology (the process keeps running and the next message is applied).
/// </summary>
public sealed class Unreadable_messages(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    static byte[] ValidJson(Action<JsonObject>? change = null)
    {
        var json = JsonSerializer.SerializeToNode(Events.Valid(), RabbitClient.Json)!.AsObject();
        change?.Invoke(json);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    public static TheoryData<string> Bodies => ["truncated-json", "not-json", "number-for-guid", "string-for-timestamp", "missing-required-property"];

    static byte[] Body(string kind) => kind switch
    {
        "truncated-json" => ValidJson()[..40],
        "not-json" => Encoding.UTF8.GetBytes("<milestone project='lize-city-terminal'/>"),
        "number-for-guid" => ValidJson(json => json["eventId"] = 12345),
        "string-for-timestamp" => ValidJson(json => json["occurredAt"] = "last Tuesday"),
        "missing-required-property" => ValidJson(json => json.Remove("projectId")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Unreadable_body_goes_to_the_error_queue_and_the_next_message_is_applied(string kind)
    {
        var (worker, client) = await fixture.Start();
        var id = Guid.NewGuid().ToString();
        var body = Body(kind);

        await client.Publish(Queues.InputExchange, body, messageId: id);
        var good = Events.Valid();
        await client.PublishJson(Queues.InputExchange, good, good.EventId.ToString());

        var error = await client.WaitFor(Queues.Error, m => m.Properties.MessageId == id);
        Assert.Equal(body, error.Body);
        Assert.Equal(MilestonesHeaders.MalformedMessage, error.Header(MilestonesHeaders.RejectionReason));
        Assert.NotNull(error.Header("MT-Fault-Message"));
        await Poll.Until(() => worker.Store.HasEvent(good.EventId), TimeSpan.FromSeconds(20), () => "the good message after the bad one was not applied");
    }

    [Fact]
    public async Task Unknown_message_type_goes_to_the_skipped_queue_and_the_next_message_is_applied()
    {
        var (worker, client) = await fixture.Start();
        var id = Guid.NewGuid();
        // A MassTransit envelope for a type this worker does not consume, published to its exchange.
        var envelope = new JsonObject
        {
            ["messageId"] = id.ToString(),
            ["messageType"] = new JsonArray("urn:message:Milestones.Contracts:ProgressReported"),
            ["message"] = new JsonObject { ["eventId"] = Guid.NewGuid().ToString(), ["projectId"] = "lize-city-terminal", ["value"] = 12.5 },
        };
        await client.Publish(Queues.InputExchange, Encoding.UTF8.GetBytes(envelope.ToJsonString()), id.ToString(), "application/vnd.masstransit+json");
        var good = Events.Valid();
        await client.PublishJson(Queues.InputExchange, good, good.EventId.ToString());

        var skipped = await client.WaitFor(Queues.Skipped, m => m.Properties.MessageId == id.ToString());
        Assert.Equal(id, skipped.JsonBody.GetProperty("messageId").GetGuid());
        await Poll.Until(() => worker.Store.HasEvent(good.EventId), TimeSpan.FromSeconds(20), () => "the good message after the unknown one was not applied");
        Assert.DoesNotContain(await client.Drain(Queues.Error), m => m.Properties.MessageId == id.ToString());
    }
}
