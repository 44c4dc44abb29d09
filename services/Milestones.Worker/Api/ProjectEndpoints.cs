using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Worker.Api;

/// <summary>The read-only query API: where does each project stand?</summary>
public static class ProjectEndpoints
{
    /// <summary>Events on a timeline page when the request names no <c>limit</c>.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest <c>limit</c> a timeline page may ask for.</summary>
    public const int MaxPageSize = 500;

    const string Oldest = "oldest";
    const string Newest = "newest";

    /// <summary>Maps <c>/projects</c>, <c>/projects/{id}</c> and <c>/projects/{id}/events</c>; returns their group, for access rules.</summary>
    public static RouteGroupBuilder MapProjectEndpoints(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/projects").WithTags("Projects");
        projects.MapGet("/", ListProjects)
            .WithName("ListProjects")
            .WithSummary("Every catalog project: what it still needs, its entry's revision and its milestones overdue now.");
        projects.MapGet("/{id}", GetProject)
            .WithName("GetProject")
            .WithSummary("One project: its entry's revision and source, its milestones, targets, schedule (planned against actual), completion and the report's words on it.")
            .WithDescription("Carries a strong ETag; with If-None-Match naming it, the answer is 304 without a body while the project is unchanged.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
        projects.MapGet("/{id}/events", GetTimeline)
            .WithName("GetTimeline")
            .WithSummary("One page of a project's timeline: reports, retractions, progress, registrations and overdue findings, in the order they happened.")
            .WithDescription(
                "Ordered by when each event happened, then when it was recorded, then its id (a total order), oldest first " +
                "or, with order=newest, newest first. When more events remain, `next` (and a Link header with rel=\"next\") " +
                "is the path of the next page, with the same order and limit; the last page has no `next`. Each page carries " +
                "a strong ETag; If-None-Match naming it answers 304 while the page is unchanged.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return projects;
    }

    static async Task<Ok<List<ProjectSummary>>> ListProjects(
        [Description("`true`: only the projects with a milestone overdue now; `false`: only those without; absent: every project.")] bool? overdue,
        ProjectCatalog catalog, IProjectStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var states = (await store.ListProjects(cancellationToken)).ToDictionary(s => s.State.ProjectId, s => s.State, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        // The catalog's projects, then any the store holds a registration of that this replica has not put in force yet.
        var ids = catalog.Projects.Select(p => p.Id)
            .Concat(states.Values.Where(s => s.Registration is not null).Select(s => s.ProjectId))
            .Distinct(StringComparer.Ordinal);
        var summaries = ids
            .Select(id => (Id: id, State: states.GetValueOrDefault(id) ?? ProjectState.Empty(id)))
            .Select(p => catalog.EntryFor(p.Id, p.State.Registration) is { } entry ? ProjectSummary.From(entry, p.State, now) : null)
            .OfType<ProjectSummary>()
            .Where(s => overdue is null || s.Overdue.Count > 0 == overdue)
            .ToList();
        return TypedResults.Ok(summaries);
    }

    static async Task<Results<Ok<ProjectDetail>, StatusCodeHttpResult, ProblemHttpResult>> GetProject(
        string id, HttpContext http, ProjectCatalog catalog, IProjectStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!ProjectCatalog.IsValidId(id))
        {
            return NotInCatalog(id);
        }
        // The entry in force is the one the project's stored registration holds when it is newer than this replica's.
        var snapshot = await store.LoadProject(id, cancellationToken);
        var state = snapshot?.State ?? ProjectState.Empty(id);
        if (catalog.EntryFor(id, state.Registration) is not { } project)
        {
            return NotInCatalog(id);
        }
        var detail = ProjectDetail.From(project, state, state.Registration ?? catalog.RegistrationOf(id), catalog.Source, time.GetUtcNow());
        // The state's version and the entry (its revision, and which text of it: a release may change the file's entry) make
        // the answer, with the schedule's lateness, which moves with the clock alone.
        var tag = EntityTags.Of("project", id, snapshot?.Version ?? 0, project.Revision, EntityTags.Digest(project),
            string.Join(',', detail.Schedule.Select(s => $"{s.Late}/{s.DaysLate}/{s.Overdue}")));
        return Conditional(http, tag) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(detail);
    }

    static async Task<Results<Ok<TimelinePageResponse>, StatusCodeHttpResult, ProblemHttpResult>> GetTimeline(
        string id,
        [Description("The cursor of the page to read: the `next` of the previous page, as given. Absent: the first page.")] string? after,
        [Description("Events per page, 1 to 500. Default 50.")] int? limit,
        [Description("`oldest` (default): the earliest event first; `newest`: the latest first.")] string? order,
        HttpContext http, ProjectCatalog catalog, IProjectStore store, CancellationToken cancellationToken)
    {
        if (!catalog.TryGet(id, out _))
        {
            return NotInCatalog(id);
        }
        var pageSize = limit ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            return BadRequest($"limit must be between 1 and {MaxPageSize}.");
        }
        TimelineOrder? sort = order switch
        {
            null or Oldest => TimelineOrder.OldestFirst,
            Newest => TimelineOrder.NewestFirst,
            _ => null,
        };
        if (sort is null)
        {
            return BadRequest($"order must be '{Oldest}' or '{Newest}'.");
        }
        TimelinePosition? position = null;
        if (after is not null && !TimelineCursor.TryDecode(after, out position))
        {
            return BadRequest("after is not a cursor this API gave out: pass back the `next` of a page as it is.");
        }

        // The state first: retractions are shown from it, and its version goes into the tag with the page's event ids.
        var snapshot = await store.LoadProject(id, cancellationToken);
        var state = snapshot?.State ?? ProjectState.Empty(id);
        var page = await store.GetTimeline(id, new TimelineQuery(sort.Value, pageSize, position), cancellationToken);
        var orderName = sort == TimelineOrder.NewestFirst ? Newest : Oldest;
        var next = page.Next is { } n
            ? $"{http.Request.PathBase}/projects/{Uri.EscapeDataString(id)}/events?after={TimelineCursor.Encode(n)}&limit={pageSize}&order={orderName}"
            : null;
        if (next is not null)
        {
            http.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        }
        var tag = EntityTags.Of("timeline", id, snapshot?.Version ?? 0, orderName, pageSize, after, next,
            string.Join(',', page.Events.Select(e => e.EventId)));
        return Conditional(http, tag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(new TimelinePageResponse(page.Events.Select(e => TimelineEntry.From(e, state)).ToList(), next));
    }

    /// <summary>
    /// Sets the tag and the caching rule on the answer and says whether the client's copy is current (a 304). The
    /// answers are per caller (a token) and change with every event: <c>private, no-cache</c> keeps shared caches out
    /// and makes a client revalidate, which the tag makes cheap.
    /// </summary>
    static bool Conditional(HttpContext http, string tag)
    {
        http.Response.Headers.ETag = tag;
        http.Response.Headers.CacheControl = "private, no-cache";
        return EntityTags.Matches(http.Request, tag);
    }

    static ProblemHttpResult NotInCatalog(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The project is not in the catalog.", detail: $"There is no project '{id}'.");

    static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The query is not valid.", detail: detail);
}

/// <summary>One page of a project's timeline; <c>next</c>, when more events remain, is the path of the next page.</summary>
public sealed record TimelinePageResponse(
    IReadOnlyList<TimelineEntry> Events,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Next = null);

/// <summary>
/// One entry of a project's timeline, by <c>kind</c>: a milestone report (<c>reached</c>), with <c>retracted</c> saying who
/// withdrew it and why when a retraction did; a retraction (<c>retraction</c>), whose <c>note</c> is its reason and
/// <c>retractedEventId</c> the report it withdraws (a progress report's metric and value in <c>progress</c>); a progress
/// report (<c>progress</c>: metric, value and unit); a catalog registration (<c>registration</c>: the entry's
/// <c>revision</c>); or the schedule watch's finding that a milestone is overdue (<c>overdue</c>: its <c>due</c> date,
/// <c>occurredAt</c> the end of that day, <c>reportedAt</c> when it was found).
/// </summary>
public sealed record TimelineEntry(
    Guid EventId, string Kind, string MilestoneCode, DateTimeOffset OccurredAt, DateTimeOffset ReportedAt, string SourceSystem,
    string? Note, string? EvidenceUrl, DateTimeOffset RecordedAt, Guid? RetractedEventId, TimelineRetraction? Retracted,
    TimelineProgress? Progress, int? Revision, DateOnly? Due)
{
    public static TimelineEntry From(EventRecord e, ProjectState state)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(state);
        var retracted = !e.IsRetraction && state.Retractions.TryGetValue(e.EventId, out var r) && r.Withdraws(e.SourceSystem)
            ? new TimelineRetraction(r.RetractionEventId, r.RetractedBy, r.Reason, r.RetractedAt)
            : null;
        var kind = e.Kind switch
        {
            EventKind.Retraction => "retraction",
            EventKind.Progress => "progress",
            EventKind.Registration => "registration",
            EventKind.Overdue => "overdue",
            _ => "reached",
        };
        DateOnly? due = e.Kind == EventKind.Overdue && DateOnly.TryParseExact(e.Detail, "yyyy-MM-dd", out var d) ? d : null;
        return new TimelineEntry(e.EventId, kind, e.MilestoneCode, e.OccurredAt, e.ReportedAt,
            e.SourceSystem, e.Note, e.EvidenceUrl, e.RecordedAt, e.RetractedEventId, retracted,
            e.Progress is { } p ? new TimelineProgress(p.Metric, p.Value, p.Unit) : null,
            e.Kind == EventKind.Registration ? e.Revision : null,
            due);
    }
}

/// <summary>A progress report's metric, value and unit.</summary>
public sealed record TimelineProgress(string Metric, decimal Value, string Unit);

/// <summary>Who withdrew a report, why and when.</summary>
public sealed record TimelineRetraction(Guid RetractionEventId, string RetractedBy, string Reason, DateTimeOffset RetractedAt);
