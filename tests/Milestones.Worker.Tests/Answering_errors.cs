using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Tests;

/// <summary>Every error is RFC 9457 problem details, and nothing internal leaks into one.</summary>
public class Answering_errors
{
    const string Secret = "connection to db-7.internal:27017 refused, password=hunter2";

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/no/such/route")]
    [InlineData("/projects/great-wall")]
    [InlineData("/projects/great-wall/events")]
    public async Task An_unknown_route_or_project_is_a_404_with_problem_details(string path)
    {
        await using var worker = new WorkerFactory();
        await worker.Start();

        using var response = await worker.CreateClient().GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/projects")]
    [InlineData("/projects/lize-city-terminal")]
    [InlineData("/projects/lize-city-terminal/events")]
    public async Task A_failing_store_is_a_500_without_its_message_or_a_stack_trace(string path)
    {
        // Development, where the developer exception page would show everything: the API's own handler answers first.
        await using var worker = new WorkerFactory(services: s => s.AddSingleton<IProjectStore>(new FailingStore()));
        await worker.Start();

        using var response = await worker.CreateClient().GetAsync(path, Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(500, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("db-7", body, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(FailingStore), body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    sealed class FailingStore : IProjectStore
    {
        public Task<IReadOnlyList<ProjectSnapshot>> LoadProjects(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Secret);

        public Task<IReadOnlyList<CommitResult>> Commit(IReadOnlyList<ProjectCommit> commits, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Secret);

        public Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Secret);

        public Task<TimelinePage> GetTimeline(string projectId, TimelineQuery query, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Secret);
    }
}
