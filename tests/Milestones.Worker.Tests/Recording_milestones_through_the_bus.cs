using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Milestones.Contracts;
using Milestones.Domain;
using Milestones.Worker.Consumers;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

public class Recording_milestones_through_the_bus
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_valid_milestone_is_consumed_without_fault_and_recorded()
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        var message = Messages.Reached("lize-city-terminal", ConstructionStarted);

        await harness.Bus.Publish(message, Cancel);

        Assert.True(await harness.GetConsumerHarness<MilestoneReachedConsumer>().Consumed.Any<MilestoneReached>(x => x.Context.Message.EventId == message.EventId, Cancel));
        Assert.False(await harness.Published.Any<Fault<MilestoneReached>>(Cancel));
        var project = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/lize-city-terminal", Cancel);
        var started = project.GetProperty("milestones").EnumerateArray().Single(m => m.GetProperty("code").GetString() == ConstructionStarted);
        Assert.Equal(message.EventId, started.GetProperty("reached").GetProperty("eventId").GetGuid());
        Assert.False(project.GetProperty("isComplete").GetBoolean());
    }

    [Fact]
    public async Task The_last_required_milestone_publishes_one_ProjectCompleted_with_a_deterministic_id()
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        var opened = Messages.MetroOpened();

        await harness.Bus.Publish(opened, Cancel);

        Assert.True(await harness.Published.Any<ProjectCompleted>(Cancel));
        var completed = harness.Published.Select<ProjectCompleted>(Cancel).ToList();
        var only = Assert.Single(completed);
        Assert.Equal(DeterministicGuid.Create("milestones/project-completed/subway-16-south/1"), only.Context.MessageId);
        Assert.Equal("subway-16-south", only.Context.Message.ProjectId);
        Assert.Equal("地铁16号线南段", only.Context.Message.ProjectName);
        Assert.Equal(1, only.Context.Message.CompletionNumber);
        Assert.Equal(opened.EventId, only.Context.Message.TriggeringEventId);
        Assert.Equal(opened.OccurredAt, only.Context.Message.CompletedAt);
        Assert.Equal([Opened], only.Context.Message.Milestones.Select(m => m.MilestoneCode));
    }

    [Fact]
    public async Task A_redelivered_event_is_acknowledged_without_effect()
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        var opened = Messages.MetroOpened();

        await harness.Bus.Publish(opened, Cancel);
        Assert.True(await harness.Published.Any<ProjectCompleted>(Cancel));
        await harness.Bus.Publish(opened, Cancel);

        var consumer = harness.GetConsumerHarness<MilestoneReachedConsumer>();
        await Poll.Until(() => consumer.Consumed.Select<MilestoneReached>(Cancel).Count() == 2, TimeSpan.FromSeconds(10), "both reports consumed");
        Assert.False(await harness.Published.Any<Fault<MilestoneReached>>(Cancel));
        Assert.Single(harness.Published.Select<ProjectCompleted>(Cancel));
        var timeline = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/subway-16-south/events", Cancel);
        Assert.Single(timeline.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task The_same_event_id_with_another_payload_is_rejected_as_a_conflict()
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        var first = Messages.Reached("lize-city-terminal", ConstructionStarted, note: "主体开工");
        var conflicting = first with { Note = "全面开工" };

        await harness.Bus.Publish(first, Cancel);
        Assert.True(await harness.Consumed.Any<MilestoneReached>(x => x.Context.Message.Note == "主体开工", Cancel));
        await harness.Bus.Publish(conflicting, Cancel);

        var fault = await FirstFault(harness);
        Assert.StartsWith("conflict:", fault.Exceptions.Single().Message, StringComparison.Ordinal);
        var timeline = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/lize-city-terminal/events", Cancel);
        Assert.Equal("主体开工", Assert.Single(timeline.GetProperty("events").EnumerateArray()).GetProperty("note").GetString());
    }

    [Theory]
    [InlineData("great-wall", ConstructionStarted, "unknown-project:")]
    [InlineData("lize-city-terminal", "groundbreaking", "unknown-milestone:")]
    [InlineData("lize-city-terminal", LandPrepared, "milestone-not-in-plan:")]
    public async Task An_invalid_event_faults_once_without_retry_and_stores_nothing(string projectId, string code, string reason)
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        using var attempts = new MetricCollector<long>(worker.Services.GetRequiredService<IMeterFactory>(), "Milestones", "milestones.events.consumed");
        using var rejected = new MetricCollector<long>(worker.Services.GetRequiredService<IMeterFactory>(), "Milestones", "milestones.events.rejected");

        await harness.Bus.Publish(Messages.Reached(projectId, code), Cancel);

        var fault = await FirstFault(harness);
        Assert.StartsWith(reason, fault.Exceptions.Single().Message, StringComparison.Ordinal);
        Assert.Equal(1, attempts.GetMeasurementSnapshot().EvaluateAsCounter());
        var rejection = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Equal(reason.TrimEnd(':'), rejection.Tags["reason"]);
        var projects = await worker.CreateClient().GetFromJsonAsync<JsonElement[]>("/projects", Cancel);
        Assert.All(projects!, p => Assert.Empty(p.GetProperty("reached").EnumerateArray()));
    }

    [Fact]
    public async Task A_missing_required_field_from_a_careless_publisher_is_rejected_by_name()
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();

        await harness.Bus.Publish(Messages.MetroOpened() with { SourceSystem = null! }, Cancel);

        var fault = await FirstFault(harness);
        Assert.Equal("missing-field: required field 'sourceSystem' is missing or empty", fault.Exceptions.Single().Message);
    }

    static async Task<Fault<MilestoneReached>> FirstFault(ITestHarness harness)
    {
        Assert.True(await harness.Published.Any<Fault<MilestoneReached>>(Cancel), "no Fault<MilestoneReached> was published");
        return harness.Published.Select<Fault<MilestoneReached>>(Cancel).First().Context.Message;
    }
}
