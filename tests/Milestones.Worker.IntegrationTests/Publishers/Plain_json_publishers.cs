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
    public async Task The_readmes_progress_report_as_bare_json_is_recorded_and_fed()
    {
        var (worker, client) = await fixture.Start();
        // Exactly the contracts README's ProgressReported example, with a fresh event id.
        var eventId = Guid.NewGuid();
        var body = $$"""
            {
              "eventId": "{{eventId}}",
              "projectId": "nanyuan-forest-wetland-park",
              "metric": "open-area",
              "value": 2037,
              "unit": "mu",
              "occurredAt": "2023-11-30T10:00:00+08:00",
              "reportedAt": "2023-11-30T17:00:00+08:00",
              "sourceSystem": "south-axis-pmo",
              "note": "南苑森林湿地公园新增集中连片开放面积达到2037亩"
            }
            """;

        await client.Publish(Queues.ProgressExchange, Encoding.UTF8.GetBytes(body), eventId.ToString(), "application/json", userId: "south-axis-pmo");

        await Poll.Until(() => worker.Store.HasEvent(eventId), TimeSpan.FromSeconds(20), () => "the plain JSON progress report was not recorded");
        // The feed's queue, declared by the worker, carries its MilestoneRecorded.
        var fed = await client.WaitFor(Queues.Feed, m => m.Text.Contains(eventId.ToString(), StringComparison.Ordinal));
        var message = fed.JsonBody.GetProperty("message");
        Assert.Equal("progress", message.GetProperty("kind").GetString());
        Assert.Equal("open-area", message.GetProperty("metric").GetString());
        Assert.Equal(2037m, message.GetProperty("value").AsDecimal());
        Assert.Equal("mu", message.GetProperty("unit").GetString());
        Assert.Equal("south-axis-pmo", message.GetProperty("sourceSystem").GetString());
    }

    [Fact]
    public async Task The_readmes_registration_as_bare_json_puts_the_new_project_in_the_catalog()
    {
        var (worker, client) = await fixture.Start();
        // Exactly the contracts README's ProjectRegistered example, with a fresh event id.
        var eventId = Guid.NewGuid();
        var body = $$"""
            {
              "eventId": "{{eventId}}",
              "revision": 1,
              "project": {
                "id": "wanping-town-conservation",
                "nameZh": "宛平城地区整体保护提升",
                "nameEn": "Wanping Town conservation and renewal",
                "area": "宛平城地区",
                "areaEn": "Wanping Town area",
                "kind": "urban-renewal",
                "existsSince": "2022-01-01",
                "plan": {
                  "milestones": ["plan-approved", "construction-started", "completed"],
                  "required": ["completed"]
                },
                "targets": [
                  { "metric": "restored-courtyards", "unit": "courtyard", "baseline": 0, "target": 40, "required": false, "text": "修缮院落40处" }
                ],
                "schedule": [
                  { "milestone": "construction-started", "due": "2023-12-31", "text": "年内开工" }
                ],
                "reporters": ["south-axis-pmo"]
              },
              "registeredAt": "2023-02-01T09:00:00+08:00",
              "sourceSystem": "fengtai-pmo",
              "note": "新增重点工程"
            }
            """;

        await client.Publish(Queues.RegisteredExchange, Encoding.UTF8.GetBytes(body), eventId.ToString(), "application/json", userId: "fengtai-pmo");

        await Poll.Until(() => worker.Store.HasEvent(eventId), TimeSpan.FromSeconds(20), () => "the plain JSON registration was not recorded");
        var project = await worker.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/projects/wanping-town-conservation", TestContext.Current.CancellationToken);
        Assert.Equal("宛平城地区整体保护提升", project.GetProperty("nameZh").GetString());
        Assert.False(project.GetProperty("isComplete").GetBoolean());
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
