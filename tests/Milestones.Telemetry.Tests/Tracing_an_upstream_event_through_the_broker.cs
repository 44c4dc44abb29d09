using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Milestones.Contracts;
using Milestones.Worker.Telemetry;
using OpenTelemetry;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Probes = Milestones.ServiceDefaults.ServiceDefaultsExtensions;

namespace Milestones.Telemetry.Tests;

/// <summary>
/// One trace from the upstream publisher through consume, the store writes and the publish of ProjectCompleted.
/// The publisher is not MassTransit: a plain AMQP client that puts raw JSON and a W3C <c>traceparent</c> header on the
/// message, as any upstream system would.
/// </summary>
public class Tracing_an_upstream_event_through_the_broker(TestVirtualHost broker) : IClassFixture<TestVirtualHost>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Upstream_traceparent_is_continued_to_the_completion()
    {
        BrokerEnvironment.Require();
        await using var worker = await WorkerHost.Start(new(broker.TransportSettings()));
        await Poll.Until(async () => (await worker.Services.GetRequiredService<HealthCheckService>()
                .CheckHealthAsync(c => c.Tags.Contains(Probes.ReadyTag), Cancel)).Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(60), "the worker to be ready on the broker");

        await using var connection = await broker.Connect();
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Cancel);
        var completions = await Subscribe(channel, WireNames.ProjectCompletedExchange);

        var upstream = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var traceParent = $"00-{upstream.TraceId}-{upstream.SpanId}-01";
        var eventId = Guid.NewGuid();
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            eventId,
            projectId = "subway-16-south",
            milestoneCode = "opened",
            occurredAt = "2022-12-30T10:00:00+08:00",
            reportedAt = "2022-12-30T11:00:00+08:00",
            sourceSystem = "metro-operator",
        }, Json);
        // This process also runs the worker, whose tracing would wrap this publish in a span of its own and overwrite
        // the header; suppressed, the client behaves like the uninstrumented upstream publisher it stands for.
        using (SuppressInstrumentationScope.Begin())
        {
            await channel.BasicPublishAsync(WireNames.MilestoneReachedExchange, string.Empty, mandatory: false,
                new BasicProperties
                {
                    ContentType = "application/json",
                    Persistent = true,
                    UserId = "metro-operator",
                    Headers = new Dictionary<string, object?> { ["traceparent"] = traceParent },
                },
                body, Cancel);
        }

        await Poll.Until(() => completions.Count > 0, TimeSpan.FromSeconds(60), "ProjectCompleted to arrive downstream");
        // The send span ends once the broker confirmed the publish, around when the message arrives.
        await Poll.Until(() => worker.Spans.InTrace(upstream.TraceId).Any(IsCompletionSend), TimeSpan.FromSeconds(10),
            "the publish of ProjectCompleted to be traced in the upstream trace");
        // The feed's publish (MilestoneRecorded) of the same event is another outbox entry, published in the same or the next batch.
        await Poll.Until(() => worker.Spans.InTrace(upstream.TraceId).Count(s => s.OperationName == MilestonesTracing.OutboxPublishSpan) >= 2,
            TimeSpan.FromSeconds(10), "the publish of MilestoneRecorded to be traced in the upstream trace");

        var trace = worker.Spans.InTrace(upstream.TraceId);
        var deliver = Assert.Single(trace, s => s.Source.Name == RabbitMQActivitySource.SubscriberSourceName
            && Equals(s.GetTagItem("messaging.destination.name"), WireNames.MilestoneReachedExchange));
        Assert.Equal(upstream.SpanId, deliver.ParentSpanId);
        var receive = Assert.Single(trace, s => s.Source.Name == "MassTransit" && Equals(s.GetTagItem("messaging.operation"), "receive")
            && s.ParentSpanId == deliver.SpanId);
        var consume = Assert.Single(trace, s => s.Source.Name == "MassTransit" && Equals(s.GetTagItem("messaging.operation"), "process")
            && s.ParentSpanId == receive.SpanId);
        var record = Assert.Single(trace, s => s.OperationName == MilestonesTracing.RecordSpan);
        Assert.Equal(consume.SpanId, record.ParentSpanId);
        Assert.Equal("subway-16-south", record.GetTagItem(MilestonesTracing.ProjectIdTag));
        Assert.Equal("opened", record.GetTagItem(MilestonesTracing.MilestoneCodeTag));
        Assert.Equal(eventId.ToString(), record.GetTagItem(MilestonesTracing.EventIdTag));
        Assert.Equal("applied", record.GetTagItem(MilestonesTracing.OutcomeTag));
        Assert.Equal(true, record.GetTagItem(MilestonesTracing.ProjectCompletedTag));
        // The event was written in a batch, a trace of its own that links to the event's span; the commit is its child.
        bool RecordsThisEvent(Activity s) => s.OperationName == MilestonesTracing.RecordBatchSpan
            && s.Links.Any(l => l.Context.SpanId == record.SpanId && l.Context.TraceId == record.TraceId);
        await Poll.Until(() => worker.Spans.Snapshot().Any(RecordsThisEvent), TimeSpan.FromSeconds(10), "the batch span that recorded the event");
        var batch = Assert.Single(worker.Spans.Snapshot(), RecordsThisEvent);
        var commit = Assert.Single(worker.Spans.Snapshot(), s => s.OperationName == TracingProjectStore.CommitSpan && s.ParentSpanId == batch.SpanId);
        Assert.Equal("committed=1", commit.GetTagItem(TracingProjectStore.CommitResultTag));
        // Two outbox publishes continue it: the completion's and the event feed's (MilestoneRecorded), both children of the record span.
        var publishes = trace.Where(s => s.OperationName == MilestonesTracing.OutboxPublishSpan).ToList();
        Assert.Equal(2, publishes.Count);
        Assert.All(publishes, p => Assert.Equal(record.SpanId, p.ParentSpanId));
        var publish = Assert.Single(publishes, p => p.GetTagItem(MilestonesTracing.CompletionNumberTag) is not null);
        var send = Assert.Single(trace, IsCompletionSend);
        Assert.Equal(publish.SpanId, send.ParentSpanId);

        // Downstream, a consumer that is not MassTransit can go on with the same trace.
        var completed = Assert.Single(completions);
        Assert.StartsWith($"00-{upstream.TraceId}-", completed, StringComparison.Ordinal);
    }

    static bool IsCompletionSend(Activity span) =>
        span.Source.Name == "MassTransit" && span.Kind == ActivityKind.Producer
        && span.OperationName.Contains(WireNames.ProjectCompletedExchange, StringComparison.Ordinal);

    /// <summary>A queue of the test's own on a fan-out exchange; returns the <c>traceparent</c> header of each message that arrives.</summary>
    static async Task<List<string>> Subscribe(IChannel channel, string exchange)
    {
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: Cancel);
        var queue = (await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true, cancellationToken: Cancel)).QueueName;
        await channel.QueueBindAsync(queue, exchange, string.Empty, cancellationToken: Cancel);
        var received = new List<string>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            if (delivery.BasicProperties.Headers?.TryGetValue("traceparent", out var value) == true && value is byte[] bytes)
            {
                lock (received)
                {
                    received.Add(Encoding.UTF8.GetString(bytes));
                }
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer, Cancel);
        return received;
    }
}
