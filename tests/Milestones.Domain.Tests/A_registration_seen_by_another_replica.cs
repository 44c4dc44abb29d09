using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;

namespace Milestones.Domain.Tests;

/// <summary>
/// Two replicas, each with its own catalog loaded from the file, share one store: a registration recorded by one is in
/// force on the other as soon as an input needs it, without a restart.
/// </summary>
public class A_registration_seen_by_another_replica
{
    static readonly DateTimeOffset Now = new(2023, 6, 1, 0, 0, 0, TimeSpan.Zero);
    readonly InMemoryStore store = new();
    readonly FakeTimeProvider time = new(Now);

    (MilestoneRecorder Recorder, ProjectCatalog Catalog) Replica()
    {
        var catalog = Events.Catalog();
        return (new MilestoneRecorder(store, catalog, new MilestoneValidator(catalog, time, ValidationLimits.Default), time), catalog);
    }

    static CatalogRegistration Register(ProjectDefinition entry) => new()
    {
        EventId = Guid.NewGuid(),
        Definition = entry,
        RegisteredAt = Now.AddDays(-1),
        SourceSystem = "fengtai-pmo",
    };

    [Fact]
    public async Task A_new_project_registered_on_one_replica_can_be_reported_on_the_other()
    {
        var (a, catalogA) = Replica();
        var (b, catalogB) = Replica();
        var entry = catalogA.Get("lize-city-terminal") with { Id = "fengtai-science-city", NameZh = "丰台科学城", Reporters = ["lize-pmo"] };
        var report = Events.Reached("fengtai-science-city", "construction-started", 10) with { SourceSystem = "lize-pmo" };
        Assert.False(catalogB.TryGet("fengtai-science-city", out _));

        Assert.Equal(RecordStatus.Applied, (await a.Record([RecordRequest.Of(Register(entry))], TestContext.Current.CancellationToken))[0].Status);
        var outcome = (await b.Record([RecordRequest.Of(report)], TestContext.Current.CancellationToken))[0];

        Assert.Equal(RecordStatus.Applied, outcome.Status);
        Assert.True(catalogB.TryGet("fengtai-science-city", out var seen));
        Assert.Equal("丰台科学城", seen.NameZh);
    }

    [Fact]
    public async Task A_milestone_added_to_a_plan_on_one_replica_is_accepted_on_the_other()
    {
        var (a, catalogA) = Replica();
        var (b, _) = Replica();
        var file = catalogA.Get("subway-16-south");
        var amended = file with { Revision = 2, Plan = new MilestonePlan([.. file.Plan.Milestones, "topped-out"], file.Plan.Required) };
        var report = Events.Reached("subway-16-south", "topped-out", 10);

        Assert.Equal(RejectionReason.MilestoneNotInPlan, (await b.Record([RecordRequest.Of(report)], TestContext.Current.CancellationToken))[0].Rejection?.Reason);
        await a.Record([RecordRequest.Of(Register(amended))], TestContext.Current.CancellationToken);

        Assert.Equal(RecordStatus.Applied, (await b.Record([RecordRequest.Of(report)], TestContext.Current.CancellationToken))[0].Status);
    }

    [Fact]
    public async Task An_input_refused_for_a_catalog_reason_is_still_refused_when_no_registration_lifts_it()
    {
        var (b, _) = Replica();
        var outcome = (await b.Record([RecordRequest.Of(Events.Reached("no-such-project", "opened", 1))], TestContext.Current.CancellationToken))[0];
        Assert.Equal(RejectionReason.UnknownProject, outcome.Rejection?.Reason);
        Assert.Equal(1, store.Loads);
    }

    /// <summary>The store port in memory, counting reads: each commit all or nothing, version-checked.</summary>
    sealed class InMemoryStore : IProjectStore
    {
        readonly Dictionary<string, ProjectSnapshot> states = new(StringComparer.Ordinal);
        readonly List<EventRecord> events = [];

        public int Loads { get; private set; }

        public Task<IReadOnlyList<ProjectSnapshot>> LoadProjects(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken)
        {
            Loads++;
            return Task.FromResult<IReadOnlyList<ProjectSnapshot>>(projectIds.Where(states.ContainsKey).Select(p => states[p]).ToList());
        }

        public Task<IReadOnlyList<CommitResult>> Commit(IReadOnlyList<ProjectCommit> commits, CancellationToken cancellationToken)
        {
            var results = new List<CommitResult>();
            foreach (var commit in commits)
            {
                var version = states.TryGetValue(commit.ProjectId, out var s) ? s.Version : 0;
                if (version != commit.ExpectedVersion)
                {
                    results.Add(new CommitResult.VersionConflict());
                    continue;
                }
                events.AddRange(commit.Events);
                states[commit.ProjectId] = new ProjectSnapshot(commit.State, version + 1);
                results.Add(new CommitResult.Committed(version + 1));
            }
            return Task.FromResult<IReadOnlyList<CommitResult>>(results);
        }

        public Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ProjectSnapshot>>(states.Values.ToList());

        public Task<TimelinePage> GetTimeline(string projectId, TimelineQuery query, CancellationToken cancellationToken) =>
            Task.FromResult(TimelinePage.FromOneMore(events.Where(e => e.ProjectId == projectId).Take(query.Limit + 1).ToList(), query.Limit));
    }
}
