using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;
using Milestones.Worker.Telemetry;
using RabbitMQ.Client;

namespace Milestones.Worker.IntegrationTests.FailureHandling;

/// <summary>
/// Input that is hostile or unreadable: a body over Messaging:MaxMessageBodySize is refused before it is read
/// (MessageSizeFilter and its rescue), every unreadable message is counted by reason (RejectionCountFilter), and a
/// refused message sends nothing to the addresses its envelope names (no GenerateFaultFilter on the broker).
/// </summary>
public sealed class Hostile_input(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    const string Rejected = "milestones.events.rejected";

    [Fact]
    public async Task A_10_MB_body_is_refused_as_too_large_counted_and_the_next_message_is_applied()
    {
        var (worker, client) = await fixture.Start();
        using var metrics = new MetricRecorder(worker.Services, Rejected);
        var id = Guid.NewGuid().ToString();
        // Valid JSON of a MilestoneReached with a 10 MB note: only its size is wrong. (Read, it would be refused
        // too, by the note's limit, also as too-large; the assertions below tell the two apart.)
        var large = Events.Valid(note: new string('x', 10_000_000));
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(large, RabbitClient.Json));

        await client.Publish(Queues.InputExchange, body, messageId: id);
        var good = Events.Valid();
        await client.PublishJson(Queues.InputExchange, good, good.EventId.ToString());

        var error = await client.WaitFor(Queues.Error, m => m.Properties.MessageId == id, TimeSpan.FromSeconds(60));
        Assert.Equal(MilestonesHeaders.TooLarge, error.Header(MilestonesHeaders.RejectionReason));
        Assert.Equal(body.Length, error.Body.Length);
        Assert.StartsWith(MilestonesHeaders.TooLarge, error.Header("MT-Fault-Message"), StringComparison.Ordinal);
        Assert.Equal(typeof(MessageTooLargeException).FullName, error.Header("MT-Fault-ExceptionType"));
        await Poll.Until(() => worker.Store.HasEvent(good.EventId), TimeSpan.FromSeconds(30), () => "the good message after the large one was not applied");
        Assert.Equal(1, metrics.Sum(Rejected, (MilestonesTelemetry.ReasonTag, MilestonesHeaders.TooLarge)));
        // Refused by the filter, never deserialized: the consumer did not see it.
        Assert.Empty(worker.ConsumerLines(large.EventId));
    }

    public static TheoryData<string, string> Unreadable => new()
    {
        { "not-json", MilestonesHeaders.MalformedMessage },
        { "number-for-guid", MilestonesHeaders.MalformedMessage },
        { "text/plain", MilestonesHeaders.UnsupportedContentType },
        { "no-content-type", MilestonesHeaders.UnsupportedContentType },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public async Task An_unreadable_message_is_counted_by_its_reason(string kind, string reason)
    {
        var (worker, client) = await fixture.Start();
        using var metrics = new MetricRecorder(worker.Services, Rejected);
        var id = Guid.NewGuid().ToString();
        var valid = JsonSerializer.SerializeToNode(Events.Valid(), RabbitClient.Json)!.AsObject();
        var (body, contentType) = kind switch
        {
            "not-json" => (Encoding.UTF8.GetBytes("<milestone/>"), "application/json"),
            "number-for-guid" => (Encoding.UTF8.GetBytes(Change(valid, json => json["eventId"] = 12345)), "application/json"),
            "text/plain" => (Encoding.UTF8.GetBytes(valid.ToJsonString()), "text/plain"),
            "no-content-type" => (Encoding.UTF8.GetBytes(valid.ToJsonString()), (string?)null),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        await client.Publish(Queues.InputExchange, body, messageId: id, contentType: contentType!);

        var error = await client.WaitFor(Queues.Error, m => m.Properties.MessageId == id);
        Assert.True(reason == error.Header(MilestonesHeaders.RejectionReason),
            $"reason {error.Header(MilestonesHeaders.RejectionReason)}, not {reason}; fault: {error.Header("MT-Fault-ExceptionType")}: {error.Header("MT-Fault-Message")}");
        await Poll.Until(() => metrics.Sum(Rejected, (MilestonesTelemetry.ReasonTag, reason)) == 1, TimeSpan.FromSeconds(10),
            () => $"rejections counted: {string.Join(", ", metrics.Measurements.Select(m => string.Join(' ', m.Tags)))}");
        // Nothing of the message is a tag: the source is the broker-validated user_id, a catalog source.
        Assert.All(metrics.Measurements, m => Assert.Equal(Events.Source, m.Tags[MilestonesTelemetry.SourceSystemTag]));
    }

    static string Change(JsonObject json, Action<JsonObject> change)
    {
        var copy = json.DeepClone().AsObject();
        change(copy);
        return copy.ToJsonString();
    }

    [Fact]
    public async Task A_refused_message_sends_nothing_to_the_fault_or_response_address_in_its_envelope()
    {
        var (_, client) = await fixture.Start();
        var factory = fixture.VirtualHost.ConnectionFactory();
        await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        // Where a hostile publisher wants the fault to go, and MassTransit's fault exchanges anyone could bind to.
        var listened = new[] { "it-fault-address", "it-response-address", "MassTransit:Fault--Milestones.Contracts:MilestoneReached--", "MassTransit:ReceiveFault", "MassTransit:Fault" };
        foreach (var exchange in listened)
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, cancellationToken: TestContext.Current.CancellationToken);
            await channel.QueueDeclareAsync(exchange + "-listener", durable: true, exclusive: false, autoDelete: false, cancellationToken: TestContext.Current.CancellationToken);
            await channel.QueueBindAsync(exchange + "-listener", exchange, string.Empty, cancellationToken: TestContext.Current.CancellationToken);
        }
        var host = $"rabbitmq://{TestVirtualHost.Broker.Host}:{TestVirtualHost.Broker.Port}/{fixture.VirtualHost.VHost}";
        var refused = Events.Valid(projectId: "no-such-project");
        var malformedId = Guid.NewGuid();
        foreach (var (id, message) in new[] { (refused.EventId, JsonSerializer.SerializeToNode(refused, RabbitClient.Json)), (malformedId, JsonValue.Create("not a milestone")) })
        {
            var envelope = new JsonObject
            {
                ["messageId"] = id.ToString(),
                ["messageType"] = new JsonArray("urn:message:Milestones.Contracts:MilestoneReached"),
                ["faultAddress"] = $"{host}/it-fault-address?type=fanout",
                ["responseAddress"] = $"{host}/it-response-address?type=fanout",
                ["message"] = message,
            };
            await client.Publish(Queues.InputExchange, Encoding.UTF8.GetBytes(envelope.ToJsonString()), id.ToString(), "application/vnd.masstransit+json");
        }

        var error = await client.WaitFor(Queues.Error, m => m.Properties.MessageId == refused.EventId.ToString());
        Assert.Equal("unknown-project", error.Header(MilestonesHeaders.RejectionReason));
        var malformed = await client.WaitFor(Queues.Error, m => m.Properties.MessageId == malformedId.ToString());
        Assert.Equal(MilestonesHeaders.MalformedMessage, malformed.Header(MilestonesHeaders.RejectionReason));
        // A fault is sent before the error queue's copy; give a late one a moment anyway.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        foreach (var exchange in listened)
        {
            Assert.Empty(await client.Drain(exchange + "-listener"));
        }
    }
}
