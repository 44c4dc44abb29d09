using System.Net.Http.Json;
using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.Messaging;

namespace Milestones.Worker.IntegrationTests.Corrections;

/// <summary>
/// A retraction of the last required milestone of a complete project, published as plain JSON by the source that
/// reported it: one <c>ProjectReopened</c>, and a new report completes the project again (completion number 2); a
/// retraction that arrives before its report wins; a source may not retract another source's report.
/// </summary>
public sealed class Retractions_that_reopen(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    static readonly DateTimeOffset Day = new(2022, 12, 30, 10, 0, 0, TimeSpan.FromHours(8));

    static MilestoneReached Opened(int day = 0) => new()
    {
        EventId = Guid.NewGuid(),
        ProjectId = "subway-16-south",
        MilestoneCode = "opened",
        OccurredAt = Day.AddDays(day),
        ReportedAt = Day.AddDays(day).AddHours(1),
    };

    static MilestoneRetracted Retract(Guid eventId) => new()
    {
        EventId = Guid.NewGuid(),
        ProjectId = "subway-16-south",
        RetractedEventId = eventId,
        Reason = "开通日期填报错误",
        RetractedAt = Day.AddDays(10),
    };

    /// <summary>The message inside MassTransit's envelope.</summary>
    static System.Text.Json.JsonElement Body(ReceivedMessage m) => m.JsonBody.GetProperty("message");

    async Task<RabbitClient> Subscribed(string suffix)
    {
        var (_, client) = await fixture.Start();
        await client.Subscribe(Queues.CompletedExchange, $"test-completed-{suffix}");
        await client.Subscribe(Queues.ReopenedExchange, $"test-reopened-{suffix}");
        return client;
    }

    [Fact]
    public async Task A_retraction_of_the_last_required_milestone_reopens_and_a_new_report_completes_again()
    {
        var client = await Subscribed("after");
        var opened = Opened();
        await client.PublishJson(Queues.InputExchange, opened, userId: "metro-operator");
        await client.WaitFor("test-completed-after", m => Body(m).GetProperty("completionNumber").GetInt32() == 1);

        var retraction = Retract(opened.EventId);
        await client.PublishJson(Queues.RetractionExchange, retraction, userId: "metro-operator");
        var reopened = await client.WaitFor("test-reopened-after", _ => true);
        Assert.Equal(1, Body(reopened).GetProperty("reopenNumber").GetInt32());
        Assert.Equal(retraction.EventId, Body(reopened).GetProperty("retractionEventId").GetGuid());
        Assert.Equal("metro-operator", Body(reopened).GetProperty("retractedBy").GetString());
        Assert.Equal(["opened"], Body(reopened).GetProperty("missingMilestones").EnumerateArray().Select(e => e.GetString()));

        // A redelivered retraction is a duplicate: no second reopening.
        await client.PublishJson(Queues.RetractionExchange, retraction, userId: "metro-operator");
        await client.PublishJson(Queues.InputExchange, Opened(day: 2), userId: "metro-operator");
        var again = await client.WaitFor("test-completed-after", m => Body(m).GetProperty("completionNumber").GetInt32() == 2);
        Assert.NotEqual(Guid.Empty, Guid.Parse(again.Properties.MessageId!));
        Assert.Single(await client.Drain("test-reopened-after"));
    }

    [Fact]
    public async Task A_retraction_that_arrives_first_still_wins()
    {
        var client = await Subscribed("first");
        var opened = Opened(day: 1) with { ProjectId = "lize-digital-finance-tech-park" };
        var retraction = Retract(opened.EventId) with { ProjectId = "lize-digital-finance-tech-park" };

        await client.PublishJson(Queues.RetractionExchange, retraction, userId: "lize-pmo");
        var (worker, _) = await fixture.Start();
        await Poll.Until(() => worker.Store.HasEvent(retraction.EventId), TimeSpan.FromSeconds(30), () => "the retraction was not recorded");
        await client.PublishJson(Queues.InputExchange, opened, userId: "lize-pmo");
        await Poll.Until(() => worker.Store.HasEvent(opened.EventId), TimeSpan.FromSeconds(30), () => "the report was not recorded");

        var project = await worker.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/projects/lize-digital-finance-tech-park", TestContext.Current.CancellationToken);
        Assert.False(project.GetProperty("isComplete").GetBoolean());
        var timeline = await worker.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/projects/lize-digital-finance-tech-park/events", TestContext.Current.CancellationToken);
        var report = timeline.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("eventId").GetGuid() == opened.EventId);
        Assert.Equal("lize-pmo", report.GetProperty("retracted").GetProperty("retractedBy").GetString());
        Assert.Equal("开通日期填报错误", report.GetProperty("retracted").GetProperty("reason").GetString());
        Assert.DoesNotContain(await client.Drain("test-completed-first"), m => Body(m).GetProperty("projectId").GetString() == "lize-digital-finance-tech-park");
    }

    [Fact]
    public async Task A_source_may_not_retract_another_source_s_report()
    {
        var (worker, client) = await fixture.Start();
        var opened = Opened(day: 3) with { ProjectId = "lize-city-sports-park-phase-2" };
        await client.PublishJson(Queues.InputExchange, opened, userId: Events.Source);
        await Poll.Until(() => worker.Store.HasEvent(opened.EventId), TimeSpan.FromSeconds(30), () => "the report was not recorded");

        var retraction = Retract(opened.EventId) with { ProjectId = "lize-city-sports-park-phase-2" };
        await client.PublishJson(Queues.RetractionExchange, retraction, userId: "lize-pmo");

        var error = await client.WaitFor(Queues.RetractionsError, m => m.Text.Contains(retraction.EventId.ToString(), StringComparison.Ordinal));
        Assert.Equal("source-not-authorized", error.Header(MilestonesHeaders.RejectionReason));
        Assert.False(worker.Store.HasEvent(retraction.EventId));
    }
}
