using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Milestones.Domain;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.Sqlite;

namespace Milestones.Worker.Tests;

/// <summary>A project's timeline read through the API a page at a time, following the <c>next</c> links to the end.</summary>
public class Paging_a_timeline
{
    const string Project = "lize-city-terminal";

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_10_000_event_timeline_is_read_to_the_end_by_following_next_in_both_orders()
    {
        await using var worker = new WorkerFactory();
        var events = await Seed(worker, 10_000);
        await worker.Start();
        var expected = events.OrderBy(TimelinePosition.Of).Select(e => e.EventId).ToList();

        var oldest = await ReadAll(worker, $"/projects/{Project}/events?limit=100", "oldest", 100);
        var newest = await ReadAll(worker, $"/projects/{Project}/events?order=newest&limit=500", "newest", 500);

        Assert.Equal(expected, oldest);
        Assert.Equal(Enumerable.Reverse(expected), newest);
    }

    [Fact]
    public async Task A_page_is_small_by_default_and_a_limit_above_the_maximum_is_refused()
    {
        await using var worker = new WorkerFactory();
        await Seed(worker, 120);
        await worker.Start();
        var client = worker.CreateClient();

        var first = await client.GetFromJsonAsync<JsonElement>($"/projects/{Project}/events", Cancel);
        using var tooMany = await client.GetAsync($"/projects/{Project}/events?limit=501", Cancel);
        using var most = await client.GetAsync($"/projects/{Project}/events?limit=500", Cancel);

        Assert.Equal(50, first.GetProperty("events").GetArrayLength());
        Assert.Contains("limit=50&order=oldest", first.GetProperty("next").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.OK, most.StatusCode);
        var all = await most.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(120, all.GetProperty("events").GetArrayLength());
        Assert.False(all.TryGetProperty("next", out _));
        Assert.False(most.Headers.Contains("Link"));
    }

    [Theory]
    [InlineData("after=not-a-cursor", "after is not a cursor this API gave out")]
    [InlineData("after=AQAAAAAAAAAB", "after is not a cursor this API gave out")]
    [InlineData("limit=0", "limit must be between 1 and 500")]
    [InlineData("limit=-3", "limit must be between 1 and 500")]
    [InlineData("order=sideways", "order must be 'oldest' or 'newest'")]
    [InlineData("limit=abc", null)]
    public async Task A_bad_cursor_limit_or_order_is_a_400_with_problem_details(string query, string? detail)
    {
        await using var worker = new WorkerFactory();
        await worker.Start();

        using var response = await worker.CreateClient().GetAsync($"/projects/{Project}/events?{query}", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        if (detail is not null)
        {
            Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    /// <summary>Follows <c>next</c> from <paramref name="path"/> until a page has none; checks the page sizes and the link header on the way.</summary>
    static async Task<List<Guid>> ReadAll(WorkerFactory worker, string path, string order, int limit)
    {
        var client = worker.CreateClient();
        var ids = new List<Guid>();
        string? next = path;
        while (next is not null)
        {
            using var response = await client.GetAsync(next, Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            var events = page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventId").GetGuid()).ToList();
            ids.AddRange(events);
            next = page.TryGetProperty("next", out var link) ? link.GetString() : null;
            if (next is not null)
            {
                Assert.Equal(limit, events.Count);
                Assert.StartsWith($"/projects/{Project}/events?after=", next, StringComparison.Ordinal);
                Assert.EndsWith($"&limit={limit}&order={order}", next, StringComparison.Ordinal);
                Assert.Equal($"<{next}>; rel=\"next\"", Assert.Single(response.Headers.GetValues("Link")));
            }
            Assert.True(ids.Count <= 100_000, "the pages do not end");
        }
        return ids;
    }

    /// <summary>
    /// Writes <paramref name="count"/> reports of the project straight into the worker's SQLite file, as the recorder
    /// would in batches: 40 instants of occurrence and 2 of recording, so page boundaries fall inside ties.
    /// </summary>
    internal static async Task<List<EventRecord>> Seed(WorkerFactory worker, int count)
    {
        var store = new SqliteMilestoneStore(worker.DatabasePath);
        var recorded = new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var events = Enumerable.Range(0, count).Select(i => new EventRecord(
                Guid.NewGuid(), Project, MilestoneVocabulary.ConstructionStarted,
                Messages.Day0.AddDays(i % 40), Messages.Day0.AddDays(i % 40).AddHours(2), "fengtai-pmo", $"report {i}", null,
                $"fingerprint-{i}", recorded.AddSeconds(i % 2)))
            .ToList();
        var snapshot = await store.LoadProject(Project, Cancel);
        var version = snapshot?.Version ?? 0;
        foreach (var batch in events.Chunk(500))
        {
            var result = await store.Commit(new ProjectCommit(batch, version, snapshot?.State ?? ProjectState.Empty(Project), []), Cancel);
            version = Assert.IsType<CommitResult.Committed>(result).Version;
        }
        return events;
    }
}
