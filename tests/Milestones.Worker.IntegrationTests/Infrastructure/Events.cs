using Milestones.Contracts;
using Milestones.Contracts.Testing;
using Milestones.Domain.Catalog;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>Milestone events for the catalog the worker ships with.</summary>
public static class Events
{
    public static ProjectCatalog Catalog { get; } = ProjectCatalog.LoadFile(Path.Combine(Paths.WorkerDirectory, "catalog", "fengtai-2023.json"));

    /// <summary>
    /// The catalog's projects that their milestones alone complete: all but those that also require a target (南苑森林湿地公园
    /// and the district programmes, which have only a target).
    /// </summary>
    public static IReadOnlyList<ProjectDefinition> CompletedByMilestones { get; } =
        Catalog.Projects.Where(p => p.Plan.Milestones.Count > 0 && !p.RequiredTargets.Any()).ToList();

    /// <summary>The source the tests publish as: the district office, which may report on every project.</summary>
    public const string Source = "fengtai-pmo";

    static readonly DateTimeOffset Start = new(2021, 3, 1, 8, 0, 0, TimeSpan.FromHours(8));

    /// <summary>A valid event: 丽泽城市航站楼 started construction.</summary>
    public static MilestoneReached Valid(string projectId = "lize-city-terminal", string code = "construction-started", string? note = null) =>
        Reached(projectId, code, Start, TimeSpan.FromHours(2), note);

    /// <summary>
    /// A stream of <paramref name="count"/> distinct events over <paramref name="projects"/> (every project its milestones
    /// alone complete, by default), each project going through every milestone of its plan, so every project completes once when at
    /// least projects × 5 events are applied. Times differ, so the earliest report of a milestone is what counts.
    /// </summary>
    public static IReadOnlyList<MilestoneReached> Stream(int count, IReadOnlyList<string>? projects = null)
    {
        projects ??= CompletedByMilestones.Select(p => p.Id).ToList();
        var list = new List<MilestoneReached>(count);
        for (var i = 0; i < count; i++)
        {
            var project = Catalog.Get(projects[i % projects.Count]);
            var code = project.Plan.Milestones[i / projects.Count % project.Plan.Milestones.Count];
            var at = Start.AddMinutes(i);
            list.Add(Reached(project.Id, code, at, TimeSpan.FromMinutes(5), $"event {i}"));
        }
        return list;
    }

    /// <summary>The publisher kit's builder, as <see cref="Source"/> reports, without evidence.</summary>
    static MilestoneReached Reached(string projectId, string code, DateTimeOffset occurredAt, TimeSpan reportedAfter, string? note) =>
        new MilestoneReachedBuilder()
            .WithProjectId(projectId)
            .WithMilestoneCode(code)
            .At(occurredAt, reportedAfter)
            .WithSourceSystem(Source)
            .WithNote(note)
            .WithEvidenceUrl(null)
            .Build();
}
