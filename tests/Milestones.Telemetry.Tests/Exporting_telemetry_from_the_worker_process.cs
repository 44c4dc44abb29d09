using System.Text.Json;
using Milestones.Telemetry.Tests.Infrastructure;
using Milestones.Worker.Telemetry;

namespace Milestones.Telemetry.Tests;

/// <summary>
/// The worker as an OS process, configured by the standard OTEL_* variables, exporting to a real OTLP/HTTP endpoint
/// that decodes what it receives; and its console logs. The demo (<c>--demo</c>) drives a completion of 地铁16号线南段.
/// </summary>
public class Exporting_telemetry_from_the_worker_process
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Spans_metrics_and_logs_of_a_completion_arrive_decoded_at_an_otlp_receiver()
    {
        await using var receiver = await OtlpReceiver.Start();
        await using var worker = WorkerProcess.Start(new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        }, "--demo");

        JsonElement record = default;
        await Poll.Until(() =>
        {
            Assert.False(worker.HasExited, $"the worker exited:\n{worker.Describe()}");
            var spans = receiver.Received("span");
            record = spans.FirstOrDefault(s => Name(s) == MilestonesTracing.RecordSpan && Attribute(s, MilestonesTracing.ProjectIdTag) == "subway-16-south");
            return record.ValueKind != JsonValueKind.Undefined
                && spans.Any(s => Name(s) == MilestonesTracing.OutboxPublishSpan && Trace(s) == Trace(record))
                && spans.Any(s => Name(s) == "milestones.project-completed send" && Trace(s) == Trace(record));
        }, Deadline, "the spans of the metro line's completion at the receiver");

        var trace = receiver.Received("span").Where(s => Trace(s) == Trace(record)).ToList();
        Assert.All(trace, s => Assert.Equal("milestones-worker", s.GetProperty("service").GetString()));
        Assert.Contains(trace, s => s.GetProperty("scope").GetString() == "MassTransit" && Name(s) == "milestones-worker process");
        // The event was written in a batch: the batch's span links to the event's span, and the store commit is its child.
        var spansNow = receiver.Received("span");
        var batch = Assert.Single(spansNow, s => Name(s) == MilestonesTracing.RecordBatchSpan
            && s.GetProperty("links").EnumerateArray().Any(l => l.GetProperty("spanId").GetString() == record.GetProperty("spanId").GetString()));
        Assert.Contains(spansNow, s => Name(s) == TracingProjectStore.CommitSpan
            && s.GetProperty("parentSpanId").GetString() == batch.GetProperty("spanId").GetString());
        Assert.Equal("applied", Attribute(record, MilestonesTracing.OutcomeTag));

        await Poll.Until(() =>
        {
            var metrics = receiver.Received("metric");
            return Sum(metrics, "milestones.events.applied", "fengtai-pmo") >= 1
                && Sum(metrics, "milestones.completions.published") >= 1
                && metrics.Any(m => m.GetProperty("scope").GetString() == "MassTransit")
                && metrics.Any(m => m.GetProperty("name").GetString()!.StartsWith("dotnet.", StringComparison.Ordinal));
        }, Deadline, "the service's, MassTransit's and the runtime's metrics at the receiver");
        var metrics = receiver.Received("metric");
        var duration = metrics.Last(m => m.GetProperty("name").GetString() == "milestones.processing.duration");
        Assert.Equal("s", duration.GetProperty("unit").GetString());
        Assert.True(duration.GetProperty("points")[0].GetProperty("count").GetInt64() >= 1);
        Assert.Contains(metrics, m => m.GetProperty("name").GetString() == "milestones.outbox.backlog");
        Assert.Contains(metrics, m => m.GetProperty("name").GetString() == "milestones.outbox.oldest_age");
        // Observed on every export, 0 while the store takes writes: the alert on a store outage needs the series.
        Assert.Contains(metrics, m => m.GetProperty("name").GetString() == "milestones.store.outage");

        await Poll.Until(() => receiver.Received("log").Any(l => Body(l).StartsWith(CompletedLog, StringComparison.Ordinal)),
            Deadline, "the log of the recorded event at the receiver");
        var log = receiver.Received("log").First(l => Body(l).StartsWith(CompletedLog, StringComparison.Ordinal));
        Assert.Equal(Trace(record), log.GetProperty("traceId").GetString());
        Assert.Equal(record.GetProperty("spanId").GetString(), log.GetProperty("spanId").GetString());
        Assert.Empty(receiver.Errors);

        // The console in Development: readable lines whose scope names the trace; the demo keeps span dumps off it.
        Assert.Contains(worker.Output, line => line.Contains($"TraceId:{Trace(record)}", StringComparison.Ordinal));
        Assert.DoesNotContain(worker.Output, line => line.StartsWith("Activity.TraceId:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_production_console_logs_are_json_lines_with_trace_ids_and_nothing_is_exported_without_an_endpoint()
    {
        await using var worker = WorkerProcess.Start(new()
        {
            ["Messaging__Transport"] = "InMemory",
            // The in-memory bus has no broker users; only the demo inside the process publishes.
            ["Messaging__RequirePublisherIdentity"] = "false",
            ["Storage__Provider"] = "Sqlite",
            ["Storage__Sqlite__Path"] = Paths.NewDatabase(),
        }, "--demo");

        JsonElement? recorded = null;
        await Poll.Until(() =>
        {
            Assert.False(worker.HasExited, $"the worker exited:\n{worker.Describe()}");
            // Whole JSON objects only: the demo prints ProjectCompleted indented, over several lines, starting with "{".
            recorded = worker.Output.Where(line => line.Length > 1 && line.StartsWith('{') && line.EndsWith('}')).Select(line => JsonDocument.Parse(line).RootElement)
                .Cast<JsonElement?>()
                .FirstOrDefault(entry => entry!.Value.GetProperty("Message").GetString()!.StartsWith(CompletedLog, StringComparison.Ordinal));
            return recorded is not null;
        }, Deadline, "the JSON log line of the recorded event");

        var entry = recorded!.Value;
        Assert.Equal("Milestones.Worker.Consumers.MilestoneReachedConsumer", entry.GetProperty("Category").GetString());
        Assert.Equal("subway-16-south", entry.GetProperty("State").GetProperty("ProjectId").GetString());
        var scope = entry.GetProperty("Scopes").EnumerateArray().Single(s => s.TryGetProperty("TraceId", out _));
        Assert.Matches("^[0-9a-f]{32}$", scope.GetProperty("TraceId").GetString());
        Assert.NotEqual(new string('0', 32), scope.GetProperty("TraceId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", scope.GetProperty("SpanId").GetString());
        // Every line the logger wrote is JSON; the rest is the demo's own story. No console exporter's span dumps.
        Assert.DoesNotContain(worker.Output, line => line.StartsWith("Activity.", StringComparison.Ordinal) || line.StartsWith("info:", StringComparison.Ordinal));
    }

    /// <summary>
    /// The consumer's log of the completing event, at Information (the per-event "Recorded" line is at Debug), written
    /// inside the record span.
    /// </summary>
    const string CompletedLog = "Project subway-16-south completed (completion 1)";

    static string? Name(JsonElement span) => span.GetProperty("name").GetString();

    static string? Trace(JsonElement span) => span.GetProperty("traceId").GetString();

    static string Body(JsonElement log) => log.GetProperty("body").GetString() ?? string.Empty;

    static string? Attribute(JsonElement span, string key) =>
        span.GetProperty("attributes").TryGetProperty(key, out var value) ? value.ToString() : null;

    /// <summary>The latest cumulative value of a counter (optionally of one source system) across the received exports.</summary>
    static double Sum(IReadOnlyList<JsonElement> metrics, string name, string? sourceSystem = null) =>
        metrics.Where(m => m.GetProperty("name").GetString() == name)
            .Select(m => m.GetProperty("points").EnumerateArray()
                .Where(p => sourceSystem is null || (p.GetProperty("attributes").TryGetProperty("source_system", out var s) && s.GetString() == sourceSystem))
                .Sum(p => p.GetProperty("value").GetDouble()))
            .DefaultIfEmpty(0).Max();
}
