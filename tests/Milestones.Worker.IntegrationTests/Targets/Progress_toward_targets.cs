using System.Text.Json;
using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.Targets;

/// <summary>
/// 南苑森林湿地公园 completes when it is open and its open area reaches 2 037 mu: progress reports of 1 600 and 2 037 mu
/// after <c>opened</c>, in either order, complete it exactly once (one <c>ProjectCompleted</c>, one <c>TargetMet</c>), and
/// the feed publishes one <c>MilestoneRecorded</c> per recorded event and none for a duplicate. A report in another unit
/// than the target's is refused. Everything goes over the broker: plain JSON in, subscriber queues bound to the outputs.
/// </summary>
public sealed class Progress_toward_targets(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    const string Park = "nanyuan-forest-wetland-park";

    static readonly DateTimeOffset Opened = new(2023, 4, 28, 10, 0, 0, TimeSpan.FromHours(8));

    static ProgressReported Area(decimal mu, DateTimeOffset at, string unit = "mu") => new()
    {
        EventId = Guid.NewGuid(),
        ProjectId = Park,
        Metric = "open-area",
        Value = mu,
        Unit = unit,
        OccurredAt = at,
        ReportedAt = at.AddHours(4),
        Note = $"集中连片开放面积{mu}亩",
    };

    static JsonElement Body(ReceivedMessage m) => m.JsonBody.GetProperty("message");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reports_of_1600_and_2037_mu_after_opened_complete_the_park_exactly_once_in_either_order(bool largerFirst)
    {
        // A broker virtual host and a worker of its own for each order: the park completes once per store.
        BrokerEnvironment.Require();
        await using var vhost = new TestVirtualHost();
        await vhost.InitializeAsync();
        await using var worker = await InProcessWorker.Start(vhost);
        await using var client = await RabbitClient.Connect(vhost);
        using var metrics = new MetricRecorder(worker.Services, "milestones.events.duplicate");
        await client.Subscribe(Queues.CompletedExchange, "it-park-completed");
        await client.Subscribe(Queues.TargetMetExchange, "it-park-target-met");
        await client.Subscribe(Queues.RecordedExchange, "it-park-recorded");

        var opened = Events.Valid(Park, "opened") with { OccurredAt = Opened, ReportedAt = Opened.AddHours(1) };
        await client.PublishJson(Queues.InputExchange, opened, opened.EventId.ToString());
        await Poll.Until(() => worker.Store.HasEvent(opened.EventId), TimeSpan.FromSeconds(30), () => "opened was not recorded");

        var partial = Area(1600, Opened.AddMonths(2));
        var full = Area(2037, Opened.AddMonths(7));
        foreach (var report in largerFirst ? new[] { full, partial } : [partial, full])
        {
            await client.PublishJson(Queues.ProgressExchange, report, report.EventId.ToString());
            await Poll.Until(() => worker.Store.HasEvent(report.EventId), TimeSpan.FromSeconds(30), () => $"the report of {report.Value} mu was not recorded");
        }
        // The same report again: a duplicate, acknowledged without effect and without a feed message.
        await client.PublishJson(Queues.ProgressExchange, full, full.EventId.ToString());
        await Poll.Until(() => metrics.Sum("milestones.events.duplicate") >= 1, TimeSpan.FromSeconds(30), () => "the redelivered report was not taken as a duplicate");
        await Poll.Until(() => worker.Store.PendingOutbox() == 0, TimeSpan.FromSeconds(30), () => $"{worker.Store.PendingOutbox()} outbox entries not published");

        var completed = Assert.Single(await client.Drain("it-park-completed"));
        Assert.Equal(Park, Body(completed).GetProperty("projectId").GetString());
        Assert.Equal(1, Body(completed).GetProperty("completionNumber").GetInt32());
        Assert.Equal(full.EventId, Body(completed).GetProperty("triggeringEventId").GetGuid());
        var target = Assert.Single(Body(completed).GetProperty("targets").EnumerateArray());
        Assert.Equal(2037m, target.GetProperty("value").AsDecimal());

        var met = Assert.Single(await client.Drain("it-park-target-met"));
        Assert.Equal("open-area", Body(met).GetProperty("metric").GetString());
        Assert.Equal(1, Body(met).GetProperty("number").GetInt32());
        Assert.Equal(2037m, Body(met).GetProperty("target").AsDecimal());
        Assert.Equal(2037m, Body(met).GetProperty("value").AsDecimal());
        Assert.Equal("mu", Body(met).GetProperty("unit").GetString());
        Assert.Equal(full.EventId, Body(met).GetProperty("triggeringEventId").GetGuid());
        Assert.Equal(Guid.Parse(met.Properties.MessageId!), Milestones.Domain.DeterministicGuid.Create($"milestones/target-met/{Park}/open-area/1"));

        // One MilestoneRecorded per recorded event, with the message id derived from the event; none for the duplicate.
        var recorded = (await client.Drain("it-park-recorded")).ToList();
        Assert.Equal(
            new[] { opened.EventId, partial.EventId, full.EventId }.Order(),
            recorded.Select(m => Body(m).GetProperty("eventId").GetGuid()).Order());
        Assert.All(recorded, m => Assert.Equal(
            Milestones.Domain.DeterministicGuid.Create($"milestones/milestone-recorded/{Body(m).GetProperty("eventId").GetGuid():D}"),
            Guid.Parse(m.Properties.MessageId!)));
        var fullRecorded = recorded.Single(m => Body(m).GetProperty("eventId").GetGuid() == full.EventId);
        Assert.Equal("progress", Body(fullRecorded).GetProperty("kind").GetString());
        Assert.Equal("open-area", Body(fullRecorded).GetProperty("metric").GetString());
        Assert.Equal(2037m, Body(fullRecorded).GetProperty("value").AsDecimal());
        // The report that completed the park says so; the smaller one, later in either order, changed nothing.
        var partialRecorded = recorded.Single(m => Body(m).GetProperty("eventId").GetGuid() == partial.EventId);
        Assert.Equal(largerFirst, Body(partialRecorded).GetProperty("projectComplete").GetBoolean());
        Assert.True(Body(fullRecorded).GetProperty("projectComplete").GetBoolean());
        Assert.False(Body(recorded.Single(m => Body(m).GetProperty("eventId").GetGuid() == opened.EventId)).GetProperty("projectComplete").GetBoolean());
    }

    [Fact]
    public async Task A_report_in_another_unit_than_the_targets_goes_to_the_error_queue_as_unit_mismatch()
    {
        var (worker, client) = await fixture.Start();
        var hectares = Area(135.8m, Opened.AddMonths(3), unit: "ha");

        await client.PublishJson(Queues.ProgressExchange, hectares, hectares.EventId.ToString(), userId: "south-axis-pmo");

        var error = await client.WaitFor(Queues.ProgressError, m => m.Text.Contains(hectares.EventId.ToString(), StringComparison.Ordinal));
        Assert.Equal("unit-mismatch", error.Header(MilestonesHeaders.RejectionReason));
        Assert.False(worker.Store.HasEvent(hectares.EventId));
    }
}
