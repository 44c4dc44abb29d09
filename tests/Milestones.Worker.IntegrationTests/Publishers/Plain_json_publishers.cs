using System.Net.Http.Json;
using System.Text;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.Publishers;

/// <summary>
/// A non-.NET system publishes the bare JSON object, with the documented properties, to the documented
/// exchange (contracts/Milestones.Contracts/README.md), and it is consumed like any other. Here the publisher is
/// RabbitMQ.Client with no MassTransit envelope. Guards the endpoint's raw JSON deserializer (without it MassTransit
/// moves an application/json body to the error queue).
/// </summary>
public sealed class Plain_json_publishers(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task Bare_json_on_the_documented_exchange_is_recorded()
    {
        var (worker, client) = await fixture.Start();
        var eventId = Guid.NewGuid();
        // Exactly the README's example, as a Python or Java publisher would write it.
        var body = $$"""
            {
              "eventId": "{{eventId}}",
              "projectId": "fengtai-station-integration",
              "milestoneCode": "construction-started",
              "occurredAt": "2023-03-15T09:30:00+08:00",
              "reportedAt": "2023-03-15T18:00:00+08:00",
              "sourceSystem": "fengtai-pmo",
              "note": "丰台站站城一体化项目开工",
              "evidenceUrl": "https://www.bjft.gov.cn/"
            }
            """;
        var headers = new Dictionary<string, object?> { ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };

        await client.Publish(Queues.InputExchange, Encoding.UTF8.GetBytes(body), eventId.ToString(), "application/json", headers);

        await Poll.Until(() => worker.Store.HasEvent(eventId), TimeSpan.FromSeconds(20), () => "the plain JSON event was not recorded");
        var timeline = await worker.Http.GetFromJsonAsync<TimelinePageResponse>("/projects/fengtai-station-integration/events", TestContext.Current.CancellationToken);
        var entry = Assert.Single(timeline!.Events, e => e.EventId == eventId);
        Assert.Equal("construction-started", entry.MilestoneCode);
        Assert.Equal(new DateTimeOffset(2023, 3, 15, 1, 30, 0, TimeSpan.Zero), entry.OccurredAt);
        Assert.Equal("丰台站站城一体化项目开工", entry.Note);
        Assert.Equal("https://www.bjft.gov.cn/", entry.EvidenceUrl);
    }

    [Fact]
    public async Task Amqp_publish_from_debian_amqp_tools_without_user_id_is_refused_as_unauthenticated()
    {
        var amqpPublish = new[] { "/usr/bin/amqp-publish", "/usr/local/bin/amqp-publish" }.FirstOrDefault(File.Exists);
        Assert.SkipWhen(amqpPublish is null, "Debian's amqp-tools is not installed (apt-get install amqp-tools); the RabbitMQ.Client test covers plain JSON.");
        var (worker, _) = await fixture.Start();
        var broker = BrokerEnvironment.Require();
        var eventId = Guid.NewGuid();
        var body = $$"""{"eventId":"{{eventId}}","projectId":"fengtai-station-integration","milestoneCode":"plan-approved","occurredAt":"2023-03-15T09:30:00+08:00","reportedAt":"2023-03-15T18:00:00+08:00","sourceSystem":"fengtai-pmo"}""";

        // The README's command, with the optional MT-MessageType header as well.
        await TestVirtualHost.Run(amqpPublish!, $"--url=amqp://{broker.User}:{broker.Pass}@{broker.Host}:{broker.Port}/{Uri.EscapeDataString(fixture.VirtualHost.VHost)}",
            "-e", Queues.InputExchange, "-p", "-C", "application/json",
            "-H", "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "-H", "MT-MessageType: urn:message:Milestones.Contracts:MilestoneReached",
            "-b", body);

        // amqp-publish cannot set the AMQP user_id property, so in Production its messages have no proven sender.
        var client = await RabbitClient.Connect(fixture.VirtualHost);
        var error = await client.WaitFor(Queues.Error, m => m.Text.Contains(eventId.ToString(), StringComparison.Ordinal));
        Assert.Equal("unauthenticated-source", error.Header(Milestones.Worker.Messaging.MilestonesHeaders.RejectionReason));
        Assert.False(worker.Store.HasEvent(eventId));
    }

    sealed record TimelineEntry(Guid EventId, string MilestoneCode, DateTimeOffset OccurredAt, string? Note, string? EvidenceUrl);

    /// <summary>A page of the timeline as the API answers it.</summary>
    sealed record TimelinePageResponse(List<TimelineEntry> Events, string? Next);
}
