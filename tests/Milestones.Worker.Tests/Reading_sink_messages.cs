using System.Text;
using Milestones.Contracts;
using Milestones.Worker.Messaging;
using Milestones.Worker.Operations;
using RabbitMQ.Client;

namespace Milestones.Worker.Tests;

/// <summary>
/// What the <c>errors</c> commands read from a set-aside message and what a redrive sends on, without a broker: the
/// headers as RabbitMQ.Client hands them over (strings as bytes, <c>x-death</c> as a list of tables).
/// </summary>
public sealed class Reading_sink_messages
{
    static readonly MessagingOptions Options = new() { Transport = MessagingTransport.RabbitMq };

    static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void A_refused_event_in_MassTransits_envelope_shows_its_event_project_reason_time_and_attempts()
    {
        var eventId = Guid.NewGuid();
        var properties = new BasicProperties
        {
            UserId = "lize-pmo",
            MessageId = "m-1",
            Headers = new Dictionary<string, object?>
            {
                [MilestonesHeaders.RejectionReason] = Bytes("milestone-not-in-plan"),
                ["MT-Fault-Message"] = Bytes("milestone 'topped-out' is not in the plan"),
                ["MT-Fault-Timestamp"] = Bytes("2026-11-30T07:14:42.0000000Z"),
                ["MT-Fault-RetryCount"] = 2,
            },
        };
        var body = Bytes("""{"messageId":"m-1","messageType":["urn:message:Milestones.Contracts:MilestoneReached"],"message":{"eventId":"ID","projectId":"lize-city-terminal"}}""".Replace("ID", eventId.ToString(), StringComparison.Ordinal));

        var message = SinkMessage.Read("milestones-worker_error", 3, properties, body);

        Assert.Equal(eventId, message.EventId);
        Assert.Equal("lize-city-terminal", message.ProjectId);
        Assert.Equal("milestone-not-in-plan", message.Reason);
        Assert.Equal("milestone 'topped-out' is not in the plan", message.Detail);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 7, 14, 42, TimeSpan.Zero), message.At);
        Assert.Equal(3, message.Attempts);
        Assert.Equal(("lize-pmo", "m-1", 3), (message.Publisher, message.MessageId, message.Position));
    }

    [Fact]
    public void A_dead_lettered_retraction_says_why_how_often_and_goes_back_to_the_retraction_exchange()
    {
        var death = new Dictionary<string, object?>
        {
            ["queue"] = Bytes("milestones-worker-retractions"),
            ["reason"] = Bytes("delivery_limit"),
            ["count"] = 6L,
            ["time"] = new AmqpTimestamp(1_780_000_000),
        };
        var properties = new BasicProperties { Headers = new Dictionary<string, object?> { ["x-death"] = new List<object?> { death } } };
        var body = Bytes("""{"eventId":"6f0c8a36-98a5-4f5c-9d3e-3f8f6f1f2a10","projectId":"subway-16-south","retractedEventId":"7f0c8a36-98a5-4f5c-9d3e-3f8f6f1f2a10"}""");
        var dlq = Sink.All(Options).Single(q => q.DeadLetter);

        var message = SinkMessage.Read(dlq.Name, 1, properties, body);

        Assert.Equal("dead-lettered:delivery_limit", message.Reason);
        Assert.Equal(6, message.Attempts);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_780_000_000), message.At);
        Assert.Equal("milestones-worker-retractions", message.DeadLetteredFrom);
        Assert.Equal(WireNames.MilestoneRetractedExchange, dlq.InputExchangeOf(message, Options));
        Assert.Equal(WireNames.MilestoneReachedExchange, dlq.InputExchangeOf(message with { DeadLetteredFrom = "milestones-worker_quarantine" }, Options));
        Assert.Equal(WireNames.ProgressReportedExchange, dlq.InputExchangeOf(message with { DeadLetteredFrom = "milestones-worker-progress" }, Options));
        Assert.Equal(WireNames.ProjectRegisteredExchange, dlq.InputExchangeOf(message with { DeadLetteredFrom = "milestones-worker-registrations" }, Options));
    }

    [Fact]
    public void An_unreadable_body_is_listed_without_an_event_id()
    {
        var message = SinkMessage.Read("milestones-worker_skipped", 1, new BasicProperties(), Bytes("not json"));

        Assert.Null(message.EventId);
        Assert.Null(message.ProjectId);
        Assert.Equal("skipped", message.Reason);
        Assert.Equal(1, message.Attempts);
    }

    [Fact]
    public void The_sink_queues_are_those_of_every_input_queue_the_quarantine_and_the_dead_letter_queue()
    {
        Assert.Equal(
            ["milestones-worker_error", "milestones-worker_skipped", "milestones-worker_quarantine_error", "milestones-worker_quarantine_skipped",
             "milestones-worker-retractions_error", "milestones-worker-retractions_skipped",
             "milestones-worker-progress_error", "milestones-worker-progress_skipped",
             "milestones-worker-registrations_error", "milestones-worker-registrations_skipped", "milestones-worker_dlq"],
            Sink.All(Options).Select(q => q.Name));
        Assert.All(Sink.All(Options).Where(q => q.Name.StartsWith("milestones-worker-retractions", StringComparison.Ordinal)),
            q => Assert.Equal(WireNames.MilestoneRetractedExchange, q.InputExchange));
        Assert.All(Sink.All(Options).Where(q => q.Name.StartsWith("milestones-worker-progress", StringComparison.Ordinal)),
            q => Assert.Equal(WireNames.ProgressReportedExchange, q.InputExchange));
        Assert.All(Sink.All(Options).Where(q => q.Name.StartsWith("milestones-worker-registrations", StringComparison.Ordinal)),
            q => Assert.Equal(WireNames.ProjectRegisteredExchange, q.InputExchange));
    }

    [Fact]
    public void A_redriven_message_keeps_what_the_worker_needs_and_loses_the_failure_headers_a_kept_copy_only_the_brokers_counters()
    {
        var original = new BasicProperties
        {
            ContentType = "application/json",
            MessageId = "m-1",
            UserId = "lize-pmo",
            Headers = new Dictionary<string, object?>
            {
                ["traceparent"] = Bytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
                [MilestonesHeaders.RejectionReason] = Bytes("unknown-project"),
                ["MT-Fault-ExceptionType"] = Bytes("Milestones.Worker.Messaging.MilestoneRejectedException"),
                ["MT-Fault-RetryCount"] = 0,
                ["MT-Host-MachineName"] = Bytes("worker-0"),
                ["MT-Reason"] = Bytes("fault"),
                ["x-death"] = new List<object?>(),
                ["x-first-death-queue"] = Bytes("milestones-worker"),
                ["x-delivery-count"] = 3L,
            },
        };

        var redriven = SinkQueueSweep.Copy(original, dropFailureHeaders: true);
        var kept = SinkQueueSweep.Copy(original, dropFailureHeaders: false);

        Assert.Equal(("application/json", "m-1", "lize-pmo", true), (redriven.ContentType, redriven.MessageId, redriven.UserId, redriven.Persistent));
        Assert.Equal(["traceparent"], redriven.Headers!.Keys);
        Assert.Equal(original.Headers.Keys.Where(k => k != "x-delivery-count").Order(), kept.Headers!.Keys.Order());
        Assert.Equal("lize-pmo", kept.UserId);
    }
}
