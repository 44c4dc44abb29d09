using Milestones.Domain;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Api;

/// <summary>The read-only query API: where does each project stand?</summary>
public static class ProjectEndpoints
{
    const int MaxTimeline = 1_000;

    public static IEndpointRouteBuilder MapProjectEndpoints(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/projects");
        projects.MapGet("/", ListProjects);
        projects.MapGet("/{id}", GetProject);
        projects.MapGet("/{id}/events", GetTimeline);
        return app;
    }

    static async Task<IResult> ListProjects(ProjectCatalog catalog, IProjectStore store, CancellationToken cancellationToken)
    {
        var states = (await store.ListProjects(cancellationToken)).ToDictionary(s => s.State.ProjectId, s => s.State, StringComparer.Ordinal);
        return Results.Ok(catalog.Projects.Select(p => ProjectSummary.From(p, states.GetValueOrDefault(p.Id) ?? ProjectState.Empty(p.Id))));
    }

    static async Task<IResult> GetProject(string id, ProjectCatalog catalog, IProjectStore store, CancellationToken cancellationToken)
    {
        if (!catalog.TryGet(id, out var project))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Project '{id}' is not in the catalog.");
        }
        var snapshot = await store.LoadProject(id, cancellationToken);
        return Results.Ok(ProjectDetail.From(project, snapshot?.State ?? ProjectState.Empty(id)));
    }

    static async Task<IResult> GetTimeline(string id, ProjectCatalog catalog, IProjectStore store, CancellationToken cancellationToken, int limit = MaxTimeline)
    {
        if (!catalog.TryGet(id, out _))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Project '{id}' is not in the catalog.");
        }
        var events = await store.GetTimeline(id, Math.Clamp(limit, 1, MaxTimeline), cancellationToken);
        var state = (await store.LoadProject(id, cancellationToken))?.State ?? ProjectState.Empty(id);
        return Results.Ok(events.Select(e => TimelineEntry.From(e, state)));
    }
}

public sealed record ProjectSummary(
    string Id, string NameZh, string NameEn, string Area, bool IsComplete, int CompletionCount, int ReopenCount,
    IReadOnlyList<string> Reached, IReadOnlyList<string> Required, IReadOnlyList<string> Missing)
{
    public static ProjectSummary From(ProjectDefinition project, ProjectState state) => new(
        project.Id, project.NameZh, project.NameEn, project.Area, state.IsComplete, state.CompletionCount, state.ReopenCount,
        state.Reached.Keys.OrderBy(MilestoneVocabulary.Order).ToList(),
        project.Plan.Required,
        project.Plan.Required.Where(code => !state.Reached.ContainsKey(code)).ToList());
}

public sealed record ProjectDetail(
    string Id, string NameZh, string NameEn, string Area, string? AreaEn, bool IsComplete, int CompletionCount, int ReopenCount,
    DateTimeOffset? CompletedAt, IReadOnlyList<MilestoneStatus> Milestones, IReadOnlyList<QuantitativeTarget> Targets, ReportExtract Report)
{
    public static ProjectDetail From(ProjectDefinition project, ProjectState state) => new(
        project.Id, project.NameZh, project.NameEn, project.Area, project.AreaEn, state.IsComplete, state.CompletionCount, state.ReopenCount,
        state.CompletedAt(project.Plan),
        project.Plan.Milestones
            .Select(code => new MilestoneStatus(code, project.Plan.Required.Contains(code), state.Reached.GetValueOrDefault(code)))
            .ToList(),
        project.Targets,
        project.Report);
}

public sealed record MilestoneStatus(string Code, bool Required, ReachedMilestone? Reached);

/// <summary>
/// One entry of a project's timeline: a milestone report (<c>kind: "reached"</c>), with <c>retracted</c> saying who
/// withdrew it and why when a retraction did; or a retraction (<c>kind: "retraction"</c>), whose <c>note</c> is its reason
/// and <c>retractedEventId</c> the report it withdraws.
/// </summary>
public sealed record TimelineEntry(
    Guid EventId, string Kind, string MilestoneCode, DateTimeOffset OccurredAt, DateTimeOffset ReportedAt, string SourceSystem,
    string? Note, string? EvidenceUrl, DateTimeOffset RecordedAt, Guid? RetractedEventId, TimelineRetraction? Retracted)
{
    public static TimelineEntry From(EventRecord e, ProjectState state)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(state);
        var retracted = !e.IsRetraction && state.Retractions.TryGetValue(e.EventId, out var r) && r.Withdraws(e.SourceSystem)
            ? new TimelineRetraction(r.RetractionEventId, r.RetractedBy, r.Reason, r.RetractedAt)
            : null;
        return new TimelineEntry(e.EventId, e.IsRetraction ? "retraction" : "reached", e.MilestoneCode, e.OccurredAt, e.ReportedAt,
            e.SourceSystem, e.Note, e.EvidenceUrl, e.RecordedAt, e.RetractedEventId, retracted);
    }
}

/// <summary>Who withdrew a report, why and when.</summary>
public sealed record TimelineRetraction(Guid RetractionEventId, string RetractedBy, string Reason, DateTimeOffset RetractedAt);
