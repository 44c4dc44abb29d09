using System.Collections.Concurrent;
using System.Diagnostics;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;
using Milestones.Storage.Sqlite;
using Milestones.Telemetry.Tests.Infrastructure;
using Milestones.Worker.Telemetry;

namespace Milestones.Telemetry.Tests;

/// <summary>
/// The tracing decorator sits between the recorder and a store that chains the commits of a project: it must hand the
/// store's own commit back as the next one's predecessor, or every chained commit turns into a version conflict and a
/// retry (as it once did, which cost the worker most of its throughput).
/// </summary>
public sealed class Tracing_chained_commits : IDisposable
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static readonly ProjectCatalog Catalog = ProjectCatalog.LoadFile(Path.Combine(Paths.WorkerProject, "catalog", "fengtai-2023.json"));

    readonly ConcurrentQueue<Activity> stopped = new();
    readonly ActivityListener listener;

    public Tracing_chained_commits()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MilestonesTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
    }

    public void Dispose() => listener.Dispose();

    [Fact]
    public async Task Events_of_one_project_recorded_at_once_through_the_traced_store_commit_without_a_conflict()
    {
        var sqlite = new SqliteMilestoneStore(Paths.NewDatabase());
        var traced = TracingProjectStore.Create(sqlite);
        var recorder = new MilestoneRecorder(traced, Catalog,
            new MilestoneValidator(Catalog, TimeProvider.System, ValidationLimits.Default), TimeProvider.System);
        var project = Catalog.Get("lize-city-terminal");
        var events = Enumerable.Range(0, 40).Select(i => new MilestoneEvent
        {
            EventId = Guid.NewGuid(),
            ProjectId = project.Id,
            MilestoneCode = project.Plan.Milestones[i % project.Plan.Milestones.Count],
            OccurredAt = new DateTimeOffset(2022, 6, 1, 8, 0, 0, TimeSpan.FromHours(8)).AddDays(i),
            ReportedAt = new DateTimeOffset(2022, 8, 1, 8, 0, 0, TimeSpan.FromHours(8)).AddDays(i),
            SourceSystem = "lize-pmo",
        }).ToList();
        using var root = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        var outcomes = await Task.WhenAll(events.Select(e => recorder.Record(e, Cancel)));
        root.Stop();

        Assert.All(outcomes, o => Assert.Equal(RecordStatus.Applied, o.Status));
        // A span ends just after its commit does, in a continuation of its own.
        await Poll.Until(() => CommitSpans(root).Count >= events.Count, TimeSpan.FromSeconds(10), "a span for every commit");
        var commits = CommitSpans(root);
        // One span a commit, none of them lost to a conflict (each conflict would be a span of its own, and a retry).
        Assert.Equal(events.Count, commits.Count);
        Assert.All(commits, span => Assert.Equal("committed", span.GetTagItem(TracingProjectStore.CommitResultTag)));
        Assert.Equal(events.Count, (await sqlite.LoadProject(project.Id, Cancel))!.Version);
        Assert.True(sqlite.Writer.Groups < events.Count, $"{sqlite.Writer.Groups} groups for {events.Count} commits: nothing was chained");
    }

    [Fact]
    public async Task The_commit_span_ends_with_the_commit_and_is_not_left_current_for_the_caller()
    {
        var inner = new PendingStore();
        var traced = (IPipelinedProjectStore)TracingProjectStore.Create(inner);
        using var caller = new Activity("record").SetIdFormat(ActivityIdFormat.W3C).Start();

        var first = traced.Commit(Commit(), Cancel);
        var second = traced.CommitAfter(Commit(), first, Cancel);

        Assert.Same(caller, Activity.Current);
        Assert.Same(inner.Returned[0], first);                 // the store's own task, so that it knows it again
        Assert.Same(first, inner.Predecessors.Single());
        Assert.DoesNotContain(stopped, a => a.TraceId == caller.TraceId);

        inner.Complete(new CommitResult.Committed(1));
        await Task.WhenAll(first, second);
        await Poll.Until(() => CommitSpans(caller).Count >= 2, TimeSpan.FromSeconds(10), "both commit spans");
        var spans = CommitSpans(caller);
        Assert.Equal(2, spans.Count);
        Assert.All(spans, span => Assert.Equal(caller.SpanId, span.ParentSpanId));
        Assert.All(spans, span => Assert.Equal("committed", span.GetTagItem(TracingProjectStore.CommitResultTag)));
    }

    List<Activity> CommitSpans(Activity root) =>
        stopped.Where(a => a.TraceId == root.TraceId && a.OperationName == TracingProjectStore.CommitSpan).ToList();

    static ProjectCommit Commit()
    {
        var e = new MilestoneEvent
        {
            EventId = Guid.NewGuid(),
            ProjectId = "lize-city-terminal",
            MilestoneCode = "construction-started",
            OccurredAt = new DateTimeOffset(2022, 6, 1, 8, 0, 0, TimeSpan.Zero),
            ReportedAt = new DateTimeOffset(2022, 6, 2, 8, 0, 0, TimeSpan.Zero),
            SourceSystem = "lize-pmo",
        };
        return new ProjectCommit(EventRecord.From(e, DateTimeOffset.UtcNow), 0, ProjectState.Empty(e.ProjectId), []);
    }

    /// <summary>A pipelined store whose commits stay pending until the test completes them; it notes what it is given.</summary>
    sealed class PendingStore : IPipelinedProjectStore
    {
        readonly TaskCompletionSource<CommitResult> pending = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<Task<CommitResult>> Returned { get; } = [];
        public List<Task<CommitResult>> Predecessors { get; } = [];

        public void Complete(CommitResult result) => pending.SetResult(result);

        public Task<CommitResult> Commit(ProjectCommit commit, CancellationToken cancellationToken)
        {
            Returned.Add(pending.Task);
            return pending.Task;
        }

        public Task<CommitResult> CommitAfter(ProjectCommit commit, Task<CommitResult> predecessor, CancellationToken cancellationToken)
        {
            Predecessors.Add(predecessor);
            return Commit(commit, cancellationToken);
        }

        public Task<ProjectSnapshot?> LoadProject(string projectId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<EventRecord>> GetTimeline(string projectId, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
