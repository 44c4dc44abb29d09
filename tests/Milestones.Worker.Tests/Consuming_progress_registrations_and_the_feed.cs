using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Contracts;
using Milestones.Domain;
using Milestones.Domain.Storage;
using Milestones.Worker.Consumers;

namespace Milestones.Worker.Tests;

/// <summary>
/// The new inputs through the in-memory bus and the worker's own registrations: a progress report that meets the park's
/// target after <c>opened</c> publishes <c>TargetMet</c> and <c>ProjectCompleted</c>; a registration is consumed by its
/// own consumer; <c>Feeds:MilestoneRecorded</c> decides whether the feed is written.
/// </summary>
public class Consuming_progress_registrations_and_the_feed
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static ProgressReported Area(decimal mu) => new()
    {
        EventId = Guid.NewGuid(),
        ProjectId = "nanyuan-forest-wetland-park",
        Metric = "open-area",
        Value = mu,
        Unit = "mu",
        OccurredAt = Messages.Day0.AddDays(30),
        SourceSystem = "fengtai-pmo",
    };

    [Fact]
    public async Task A_progress_report_that_meets_the_required_target_publishes_TargetMet_and_completes_the_park()
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        await harness.Bus.Publish(Messages.Reached("nanyuan-forest-wetland-park", MilestoneVocabulary.Opened), Cancel);
        Assert.True(await harness.GetConsumerHarness<MilestoneReachedConsumer>().Consumed.Any<MilestoneReached>(Cancel));
        var report = Area(2037);

        await harness.Bus.Publish(report, Cancel);

        Assert.True(await harness.GetConsumerHarness<ProgressReportedConsumer>().Consumed.Any<ProgressReported>(x => x.Context.Message.EventId == report.EventId, Cancel));
        Assert.True(await harness.Published.Any<TargetMet>(Cancel));
        var met = Assert.Single(harness.Published.Select<TargetMet>(Cancel));
        Assert.Equal(DeterministicGuid.Create("milestones/target-met/nanyuan-forest-wetland-park/open-area/1"), met.Context.MessageId);
        Assert.Equal("南苑森林湿地公园", met.Context.Message.ProjectName);
        Assert.True(await harness.Published.Any<ProjectCompleted>(x => x.Context.Message.ProjectId == "nanyuan-forest-wetland-park", Cancel));
        Assert.False(await harness.Published.Any<Fault<ProgressReported>>(Cancel));
    }

    [Fact]
    public async Task A_registration_is_consumed_by_its_own_consumer_and_recorded()
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        var registration = new ProjectRegistered
        {
            EventId = Guid.NewGuid(),
            Revision = 2,
            Project = Domain.Catalog.ProjectCatalog.LoadFile(Path.Combine(AppContext.BaseDirectory, "catalog", "fengtai-2023.json"))
                .Get("lize-city-terminal").ToContract() with { NameEn = "Lize City Air Terminal (revision 2)" },
            RegisteredAt = Messages.Day0,
            SourceSystem = "fengtai-pmo",
        };

        await harness.Bus.Publish(registration, Cancel);

        Assert.True(await harness.GetConsumerHarness<ProjectRegisteredConsumer>().Consumed.Any<ProjectRegistered>(Cancel));
        await Poll.Until(() => worker.Services.GetRequiredService<Domain.Catalog.ProjectCatalog>().Get("lize-city-terminal").Revision == 2,
            TimeSpan.FromSeconds(10), "the catalog at revision 2 of lize-city-terminal");
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task Feeds_MilestoneRecorded_decides_whether_each_recorded_event_is_published(string? setting, bool published)
    {
        await using var worker = new WorkerFactory(settings: setting is null ? null : new() { ["Feeds:MilestoneRecorded"] = setting });
        var harness = await worker.Start();
        var message = Messages.Reached("lize-city-terminal", MilestoneVocabulary.ConstructionStarted);

        await harness.Bus.Publish(message, Cancel);

        Assert.True(await harness.GetConsumerHarness<MilestoneReachedConsumer>().Consumed.Any<MilestoneReached>(Cancel));
        var outbox = worker.Services.GetRequiredService<IOutboxStore>();
        await Poll.Until(async () => (await outbox.GetBacklog(Cancel)).Count == 0, TimeSpan.FromSeconds(10), "an empty outbox");
        Assert.Equal(published, await harness.Published.Any<MilestoneRecorded>(x => x.Context.Message.EventId == message.EventId, Cancel));
    }
}
