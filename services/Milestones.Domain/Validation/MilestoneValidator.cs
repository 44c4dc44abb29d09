using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Domain.Validation;

/// <summary>Checks an incoming event against the catalog and the limits before anything is stored.</summary>
public sealed class MilestoneValidator(ProjectCatalog catalog, TimeProvider time, ValidationLimits limits)
{
    /// <summary>Returns the first reason to refuse the event, or null when it may be recorded.</summary>
    public Rejection? Validate(MilestoneEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (Missing(e) is { } missing)
        {
            return new Rejection(RejectionReason.MissingField, $"required field '{missing}' is missing or empty");
        }
        if (!catalog.TryGet(e.ProjectId, out var project))
        {
            return new Rejection(RejectionReason.UnknownProject, $"project '{Clip(e.ProjectId)}' is not in the catalog");
        }
        if (Authorize(e.SourceSystem, project, "report milestones of") is { } unauthorized)
        {
            return unauthorized;
        }
        if (!MilestoneVocabulary.IsKnown(e.MilestoneCode))
        {
            return new Rejection(RejectionReason.UnknownMilestone,
                $"milestone code '{Clip(e.MilestoneCode)}' is not in the vocabulary ({string.Join(", ", MilestoneVocabulary.Stages.Select(s => s.Code))})");
        }
        if (!project.Plan.Applies(e.MilestoneCode))
        {
            return new Rejection(RejectionReason.MilestoneNotInPlan,
                $"milestone '{e.MilestoneCode}' is not in the plan of project '{project.Id}' ({string.Join(", ", project.Plan.Milestones)})");
        }
        return ValidateTimes(e.OccurredAt, e.ReportedAt, project) ?? ValidateSizes(e);
    }

    /// <summary>Returns the first reason to refuse the retraction, or null when it may be applied.</summary>
    public Rejection? Validate(Retraction r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var missing = r.EventId == Guid.Empty ? "eventId"
            : string.IsNullOrWhiteSpace(r.ProjectId) ? "projectId"
            : r.RetractedEventId == Guid.Empty ? "retractedEventId"
            : string.IsNullOrWhiteSpace(r.Reason) ? "reason"
            : r.RetractedAt == default ? "retractedAt"
            : string.IsNullOrWhiteSpace(r.SourceSystem) ? "sourceSystem"
            : null;
        if (missing is not null)
        {
            return new Rejection(RejectionReason.MissingField, $"required field '{missing}' is missing or empty");
        }
        if (!catalog.TryGet(r.ProjectId, out var project))
        {
            return new Rejection(RejectionReason.UnknownProject, $"project '{Clip(r.ProjectId)}' is not in the catalog");
        }
        if (Authorize(r.SourceSystem, project, "retract reports of") is { } unauthorized)
        {
            return unauthorized;
        }
        if (r.RetractedAt > time.GetUtcNow() + limits.MaxClockSkew)
        {
            return new Rejection(RejectionReason.TimestampInFuture, $"retractedAt {r.RetractedAt:O} is in the future");
        }
        if (r.Reason.Length > limits.MaxNoteLength)
        {
            return new Rejection(RejectionReason.TooLarge, $"reason has {r.Reason.Length} characters; the limit is {limits.MaxNoteLength}");
        }
        return null;
    }

    /// <summary>Returns the first reason to refuse the progress report, or null when it may be recorded.</summary>
    public Rejection? Validate(ProgressReport p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var missing = p.EventId == Guid.Empty ? "eventId"
            : string.IsNullOrWhiteSpace(p.ProjectId) ? "projectId"
            : string.IsNullOrWhiteSpace(p.Metric) ? "metric"
            : string.IsNullOrWhiteSpace(p.Unit) ? "unit"
            : p.OccurredAt == default ? "occurredAt"
            : p.ReportedAt == default ? "reportedAt"
            : string.IsNullOrWhiteSpace(p.SourceSystem) ? "sourceSystem"
            : null;
        if (missing is not null)
        {
            return new Rejection(RejectionReason.MissingField, $"required field '{missing}' is missing or empty");
        }
        if (!catalog.TryGet(p.ProjectId, out var project))
        {
            return new Rejection(RejectionReason.UnknownProject, $"project '{Clip(p.ProjectId)}' is not in the catalog");
        }
        if (Authorize(p.SourceSystem, project, "report progress of") is { } unauthorized)
        {
            return unauthorized;
        }
        if (project.TargetOf(p.Metric) is not { } target)
        {
            return new Rejection(RejectionReason.UnknownMetric, project.Targets.Count == 0
                ? $"project '{project.Id}' has no quantitative target; metric '{Clip(p.Metric)}' cannot be reported"
                : $"metric '{Clip(p.Metric)}' is not a target of project '{project.Id}' ({string.Join(", ", project.Targets.Select(t => t.Metric))})");
        }
        if (!string.Equals(p.Unit, target.Unit, StringComparison.Ordinal))
        {
            return new Rejection(RejectionReason.UnitMismatch,
                $"metric '{target.Metric}' of project '{project.Id}' is measured in '{target.Unit}', not '{Clip(p.Unit)}'");
        }
        if (p.Value < 0)
        {
            return new Rejection(RejectionReason.InvalidField, $"value {p.Value} is negative");
        }
        if (ValidateTimes(p.OccurredAt, p.ReportedAt, project) is { } times)
        {
            return times;
        }
        return p.Note is { Length: var noteLength } && noteLength > limits.MaxNoteLength
            ? new Rejection(RejectionReason.TooLarge, $"note has {noteLength} characters; the limit is {limits.MaxNoteLength}")
            : null;
    }

    /// <summary>
    /// Returns the first reason to refuse the registration, or null when it may be recorded: only a registrar may
    /// register, and the entry must be one the catalog file could hold. Whether its revision is new is decided when it
    /// is applied (an older one is recorded and changes nothing).
    /// </summary>
    public Rejection? Validate(CatalogRegistration r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var missing = r.EventId == Guid.Empty ? "eventId"
            : r.Definition is null ? "project"
            : string.IsNullOrWhiteSpace(r.Definition.Id) ? "project.id"
            : r.RegisteredAt == default ? "registeredAt"
            : string.IsNullOrWhiteSpace(r.SourceSystem) ? "sourceSystem"
            : null;
        if (missing is not null)
        {
            return new Rejection(RejectionReason.MissingField, $"required field '{missing}' is missing or empty");
        }
        if (!catalog.TryGetSource(r.SourceSystem, out var source) || !source.IsRegistrar)
        {
            return new Rejection(RejectionReason.SourceNotAuthorized,
                source is null
                    ? $"source '{Clip(r.SourceSystem)}' is not in the catalog's sources"
                    : $"source '{source.Id}' may not register projects: it does not have the '{SourceRoles.Registrar}' role");
        }
        if (r.RegisteredAt > time.GetUtcNow() + limits.MaxClockSkew)
        {
            return new Rejection(RejectionReason.TimestampInFuture, $"registeredAt {r.RegisteredAt:O} is in the future");
        }
        if (catalog.Check(r.Definition!) is { Count: > 0 } problems)
        {
            return new Rejection(RejectionReason.InvalidEntry, Clip(string.Join("; ", problems), 500));
        }
        return r.Note is { Length: var noteLength } && noteLength > limits.MaxNoteLength
            ? new Rejection(RejectionReason.TooLarge, $"note has {noteLength} characters; the limit is {limits.MaxNoteLength}")
            : null;
    }

    /// <summary>
    /// A retraction of a recorded report: a source withdraws only its own reports, the district office any, and only
    /// milestone and progress reports can be withdrawn.
    /// </summary>
    public Rejection? AuthorizeRetraction(Retraction r, EventRecord retracted)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(retracted);
        if (retracted.Kind is not (EventKind.Report or EventKind.Progress))
        {
            return new Rejection(RejectionReason.InvalidField,
                $"event {r.RetractedEventId} is a {EventKinds.Code(retracted.Kind)} event; only milestone and progress reports can be retracted");
        }
        var source = catalog.TryGetSource(r.SourceSystem, out var s) ? s : null;
        var project = catalog.TryGet(r.ProjectId, out var p) ? p : null;
        return source is not null && project is not null && source.MayRetract(project, retracted.SourceSystem)
            ? null
            : new Rejection(RejectionReason.SourceNotAuthorized,
                $"source '{Clip(r.SourceSystem)}' may not retract event {r.RetractedEventId}, reported by '{retracted.SourceSystem}': a source retracts only its own reports");
    }

    /// <summary>True when the source is the district office, which may correct any report.</summary>
    public bool IsDistrictOffice(string source) => catalog.TryGetSource(source, out var s) && s.IsDistrictOffice;

    Rejection? Authorize(string sourceId, ProjectDefinition project, string what) =>
        catalog.TryGetSource(sourceId, out var source) && source.MayReport(project)
            ? null
            : new Rejection(RejectionReason.SourceNotAuthorized,
                source is null
                    ? $"source '{Clip(sourceId)}' is not in the catalog's sources"
                    : $"source '{source.Id}' may not {what} project '{project.Id}'");

    static string? Missing(MilestoneEvent e) =>
        e.EventId == Guid.Empty ? "eventId"
        : string.IsNullOrWhiteSpace(e.ProjectId) ? "projectId"
        : string.IsNullOrWhiteSpace(e.MilestoneCode) ? "milestoneCode"
        : e.OccurredAt == default ? "occurredAt"
        : e.ReportedAt == default ? "reportedAt"
        : string.IsNullOrWhiteSpace(e.SourceSystem) ? "sourceSystem"
        : null;

    Rejection? ValidateTimes(DateTimeOffset occurredAt, DateTimeOffset reportedAt, ProjectDefinition project)
    {
        var latest = time.GetUtcNow() + limits.MaxClockSkew;
        if (occurredAt > latest)
        {
            return new Rejection(RejectionReason.TimestampInFuture, $"occurredAt {occurredAt:O} is in the future");
        }
        if (reportedAt > latest)
        {
            return new Rejection(RejectionReason.TimestampInFuture, $"reportedAt {reportedAt:O} is in the future");
        }
        if (occurredAt < project.ExistsSinceUtc)
        {
            return new Rejection(RejectionReason.BeforeProjectExisted,
                $"occurredAt {occurredAt:O} is before project '{project.Id}' existed ({project.ExistsSince:yyyy-MM-dd})");
        }
        if (reportedAt < occurredAt)
        {
            return new Rejection(RejectionReason.ReportedBeforeOccurred,
                $"reportedAt {reportedAt:O} is before occurredAt {occurredAt:O}");
        }
        return null;
    }

    Rejection? ValidateSizes(MilestoneEvent e)
    {
        if (e.Note is { Length: var noteLength } && noteLength > limits.MaxNoteLength)
        {
            return new Rejection(RejectionReason.TooLarge, $"note has {noteLength} characters; the limit is {limits.MaxNoteLength}");
        }
        if (e.SourceSystem.Length > limits.MaxSourceSystemLength)
        {
            return new Rejection(RejectionReason.TooLarge,
                $"sourceSystem has {e.SourceSystem.Length} characters; the limit is {limits.MaxSourceSystemLength}");
        }
        if (e.EvidenceUrl is { } url)
        {
            if (url.Length > limits.MaxEvidenceUrlLength)
            {
                return new Rejection(RejectionReason.TooLarge, $"evidenceUrl has {url.Length} characters; the limit is {limits.MaxEvidenceUrlLength}");
            }
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return new Rejection(RejectionReason.InvalidField, "evidenceUrl must be an absolute http or https link");
            }
        }
        return null;
    }

    /// <summary>Keeps a hostile value from flooding logs and headers.</summary>
    internal static string Clip(string value, int max = 80) => value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");
}
