using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Milestones.Domain;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Api;

/// <summary>
/// The open-data export: every project's milestones, targets and schedule as an OC4IDS project package (the Open
/// Contracting for Infrastructure Data Standard). The mapping of our codes to OC4IDS's is in <c>docs/oc4ids/README.md</c>.
/// </summary>
public static class Oc4idsExport
{
    /// <summary>The OC4IDS schema version the package declares (major.minor).</summary>
    public const string Version = "0.9";

    /// <summary>Maps <c>GET /export/oc4ids</c>; returns its group, for access rules.</summary>
    public static RouteGroupBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        var export = app.MapGroup("/export").WithTags("Export");
        export.MapGet("/oc4ids", Export)
            .WithName("ExportOc4ids")
            .WithSummary("Every project's milestones, targets and schedule as an OC4IDS project package (open data).")
            .WithDescription(
                "Each milestone of a project's plan is an OC4IDS milestone: status `met` once reached (`dateMet` when), " +
                "`notMet` when its due day ended without it, `scheduled` otherwise; `dueDate` is the end of its due day in " +
                "China Standard Time. Quantitative targets are in each project's `targets` (an extension of this service).");
        return export;
    }

    static async Task<Ok<ProjectPackage>> Export(HttpContext http, ProjectCatalog catalog, IProjectStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var states = (await store.ListProjects(cancellationToken)).ToDictionary(s => s.State.ProjectId, s => s.State, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var ids = catalog.Projects.Select(p => p.Id)
            .Concat(states.Values.Where(s => s.Registration is not null).Select(s => s.ProjectId))
            .Distinct(StringComparer.Ordinal);
        var projects = ids
            .Select(id => (Id: id, State: states.GetValueOrDefault(id) ?? ProjectState.Empty(id)))
            .Select(p => catalog.EntryFor(p.Id, p.State.Registration) is { } entry ? Project.From(entry, p.State, now) : null)
            .OfType<Project>()
            .ToList();
        var request = http.Request;
        return TypedResults.Ok(new ProjectPackage(
            $"{request.Scheme}://{request.Host}{request.PathBase}/export/oc4ids",
            now,
            Version,
            new Publisher(catalog.Source?.Title is { } title ? $"{title} · Milestones" : "Milestones"),
            projects));
    }

    /// <summary>
    /// The OC4IDS project status: <c>completed</c> while complete; <c>implementation</c> once construction started (or a
    /// later stage was reached, or, for a programme with targets only, a progress report arrived); <c>preparation</c> before.
    /// </summary>
    public static string ProjectStatus(ProjectDefinition project, ProjectState state)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(state);
        if (state.IsComplete)
        {
            return "completed";
        }
        var started = MilestoneVocabulary.Order(MilestoneVocabulary.ConstructionStarted);
        return state.Reached.Keys.Any(code => MilestoneVocabulary.Order(code) >= started) || (project.Plan.Milestones.Count == 0 && state.Progress.Count > 0)
            ? "implementation"
            : "preparation";
    }

    /// <summary>The OC4IDS milestone type (the open milestoneType codelist) of each of our stage codes.</summary>
    public static string MilestoneType(string code) => code switch
    {
        MilestoneVocabulary.Approved or MilestoneVocabulary.PlanApproved => "approval",
        MilestoneVocabulary.DesignCompleted or MilestoneVocabulary.LandPrepared => "preProcurement",
        _ => "delivery",
    };

    /// <summary>An OC4IDS project package.</summary>
    public sealed record ProjectPackage(string Uri, DateTimeOffset PublishedDate, string Version, Publisher Publisher, IReadOnlyList<Project> Projects);

    public sealed record Publisher(string Name);

    /// <summary>An OC4IDS project, with this service's <c>targets</c> extension.</summary>
    public sealed record Project(string Id, string Title, string Description, string Status, IReadOnlyList<Milestone> Milestones, IReadOnlyList<Target> Targets)
    {
        public static Project From(ProjectDefinition project, ProjectState state, DateTimeOffset now)
        {
            ArgumentNullException.ThrowIfNull(project);
            ArgumentNullException.ThrowIfNull(state);
            return new(project.Id, project.NameZh, project.NameEn, ProjectStatus(project, state),
                project.Plan.Milestones.Select(code => Milestone.From(project, code, state, now)).ToList(),
                project.Targets.Select(t => Target.From(t, state)).ToList());
        }
    }

    /// <summary>An OC4IDS milestone: one stage of the project's plan.</summary>
    public sealed record Milestone(
        string Id, string Title, string Type, string Code, string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DueDate,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DateMet,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description)
    {
        public static Milestone From(ProjectDefinition project, string code, ProjectState state, DateTimeOffset now)
        {
            var reached = state.Reached.GetValueOrDefault(code);
            var scheduled = project.Schedule.FirstOrDefault(s => s.Milestone == code);
            var stage = MilestoneVocabulary.Stages.FirstOrDefault(s => s.Code == code);
            var status = reached is not null ? "met" : scheduled is not null && now >= scheduled.DueEnd ? "notMet" : "scheduled";
            return new($"{project.Id}/{code}", stage?.NameEn ?? code, MilestoneType(code), code, status,
                // The last instant of the due day, in the time zone the report means.
                scheduled?.DueEnd.AddSeconds(-1), reached?.OccurredAt, scheduled?.Text);
        }
    }

    /// <summary>The <c>targets</c> extension: a quantitative target, its metric's latest value, and whether that meets it.</summary>
    public sealed record Target(string Metric, string Unit, decimal? Baseline, [property: JsonPropertyName("target")] decimal Goal, bool Required, string? Text, decimal? Value, DateTimeOffset? MeasuredAt, bool Met)
    {
        public static Target From(QuantitativeTarget target, ProjectState state)
        {
            var reading = state.Progress.GetValueOrDefault(target.Metric);
            return new(target.Metric, target.Unit, target.Baseline, target.Target, target.Required, target.Text, reading?.Value, reading?.OccurredAt, state.Meets(target));
        }
    }
}
