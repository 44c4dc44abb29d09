using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit.Testing;
using Milestones.Contracts;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

public class Querying_projects
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lists_every_catalog_project_with_what_it_still_needs()
    {
        await using var worker = new WorkerFactory();
        await worker.Start();

        var projects = await worker.CreateClient().GetFromJsonAsync<JsonElement[]>("/projects", Cancel);

        Assert.True(projects!.Length >= 10);
        var lize = projects.Single(p => p.GetProperty("id").GetString() == "lize-city-terminal");
        Assert.Equal("丽泽城市航站楼", lize.GetProperty("nameZh").GetString());
        Assert.False(lize.GetProperty("isComplete").GetBoolean());
        Assert.Equal(
            lize.GetProperty("required").EnumerateArray().Select(e => e.GetString()),
            lize.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Answers_404_for_a_project_that_is_not_in_the_catalog()
    {
        await using var worker = new WorkerFactory();
        await worker.Start();
        var client = worker.CreateClient();

        var project = await client.GetAsync("/projects/great-wall", Cancel);
        var events = await client.GetAsync("/projects/great-wall/events", Cancel);

        Assert.Equal(HttpStatusCode.NotFound, project.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, events.StatusCode);
        Assert.Equal("application/problem+json", project.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Shows_the_timeline_in_the_order_things_happened_not_the_order_they_arrived()
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        MilestoneReached[] arrivals =
        [
            Messages.Reached("lize-city-terminal", Opened, day: 300),
            Messages.Reached("lize-city-terminal", ConstructionStarted, day: 0),
            Messages.Reached("lize-city-terminal", Completed, day: 200),
        ];
        foreach (var message in arrivals)
        {
            await harness.Bus.Publish(message, Cancel);
            Assert.True(await harness.Consumed.Any<MilestoneReached>(x => x.Context.Message.EventId == message.EventId, Cancel));
        }
        Assert.True(await harness.Published.Any<ProjectCompleted>(Cancel));

        var timeline = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/lize-city-terminal/events", Cancel);
        var newestFirst = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/lize-city-terminal/events?order=newest", Cancel);
        var project = await worker.CreateClient().GetFromJsonAsync<JsonElement>("/projects/lize-city-terminal", Cancel);

        Assert.Equal([ConstructionStarted, Completed, Opened], Codes(timeline));
        Assert.Equal([Opened, Completed, ConstructionStarted], Codes(newestFirst));
        Assert.False(timeline.TryGetProperty("next", out _));
        Assert.True(project.GetProperty("isComplete").GetBoolean());
        Assert.Equal(Messages.Day0.AddDays(300), project.GetProperty("completedAt").GetDateTimeOffset());
    }

    static IEnumerable<string?> Codes(JsonElement page) =>
        page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("milestoneCode").GetString());
}
