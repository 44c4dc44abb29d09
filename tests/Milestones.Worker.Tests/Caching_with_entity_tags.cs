using System.Net;
using MassTransit.Testing;
using Milestones.Contracts;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Worker.Tests;

/// <summary>A client that keeps the ETag of what it read gets a bodiless 304 until the project changes.</summary>
public class Caching_with_entity_tags
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/projects/lize-city-terminal")]
    [InlineData("/projects/lize-city-terminal/events")]
    [InlineData("/projects/lize-city-terminal/events?order=newest&limit=1")]
    public async Task Unchanged_state_answers_304_without_a_body_and_a_change_answers_200_with_a_new_tag(string path)
    {
        await using var worker = new WorkerFactory();
        var harness = await worker.Start();
        await Record(worker, harness, Messages.Reached("lize-city-terminal", ConstructionStarted, day: 0));
        var client = worker.CreateClient();

        using var first = await client.GetAsync(path, Cancel);
        var tag = first.Headers.ETag;
        using var again = await Conditional(worker, path, tag!.Tag);
        await Record(worker, harness, Messages.Reached("lize-city-terminal", ToppedOut, day: 100));
        using var changed = await Conditional(worker, path, tag.Tag);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(tag.IsWeak);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal(tag, again.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(tag, changed.Headers.ETag);
        Assert.NotEmpty(await changed.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task Pages_of_one_timeline_have_tags_of_their_own_and_a_stale_or_foreign_tag_gets_the_body()
    {
        await using var worker = new WorkerFactory();
        await Paging_a_timeline.Seed(worker, 30);
        await worker.Start();
        var client = worker.CreateClient();

        using var oldest = await client.GetAsync("/projects/lize-city-terminal/events?limit=10", Cancel);
        using var newest = await client.GetAsync("/projects/lize-city-terminal/events?limit=10&order=newest", Cancel);
        using var foreign = await Conditional(worker, "/projects/lize-city-terminal/events?limit=10", newest.Headers.ETag!.Tag);
        using var listed = await Conditional(worker, "/projects/lize-city-terminal/events?limit=10", $"\"stale\", {oldest.Headers.ETag!.Tag}");

        Assert.NotEqual(oldest.Headers.ETag, newest.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, listed.StatusCode);
    }

    static async Task Record(WorkerFactory worker, ITestHarness harness, MilestoneReached message)
    {
        await harness.Bus.Publish(message, Cancel);
        Assert.True(await harness.Consumed.Any<MilestoneReached>(x => x.Context.Message.EventId == message.EventId, Cancel));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await worker.CreateClient().GetStringAsync("/projects/lize-city-terminal/events?limit=500", Cancel)).Contains(message.EventId.ToString(), StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{message.EventId} did not reach the timeline");
            await Task.Delay(50, Cancel);
        }
    }

    static Task<HttpResponseMessage> Conditional(WorkerFactory worker, string path, string ifNoneMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return worker.CreateClient().SendAsync(request, Cancel);
    }
}
