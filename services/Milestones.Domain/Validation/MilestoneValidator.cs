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
        return ValidateTimes(e, project) ?? ValidateSizes(e);
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

    /// <summary>
    /// A retraction of a recorded report: a source withdraws only its own reports, the district office any, and only
    /// milestone reports can be withdrawn.
    /// </summary>
    public Rejection? AuthorizeRetraction(Retraction r, EventRecord retracted)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(retracted);
        if (retracted.IsRetraction)
        {
            return new Rejection(RejectionReason.InvalidField, $"event {r.RetractedEventId} is a retraction; only milestone reports can be retracted");
        }
        var source = catalog.TryGetSource(r.SourceSystem, out var s) ? s : null;
        return source is not null && source.MayRetract(r.ProjectId, retracted.SourceSystem)
            ? null
            : new Rejection(RejectionReason.SourceNotAuthorized,
                $"source '{Clip(r.SourceSystem)}' may not retract event {r.RetractedEventId}, reported by '{retracted.SourceSystem}': a source retracts only its own reports");
    }

    /// <summary>True when the source is the district office, which may correct any report.</summary>
    public bool IsDistrictOffice(string source) => catalog.TryGetSource(source, out var s) && s.IsDistrictOffice;

    Rejection? Authorize(string sourceId, ProjectDefinition project, string what) =>
        catalog.TryGetSource(sourceId, out var source) && source.MayReport(project.Id)
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

    Rejection? ValidateTimes(MilestoneEvent e, ProjectDefinition project)
    {
        var latest = time.GetUtcNow() + limits.MaxClockSkew;
        if (e.OccurredAt > latest)
        {
            return new Rejection(RejectionReason.TimestampInFuture, $"occurredAt {e.OccurredAt:O} is in the future");
        }
        if (e.ReportedAt > latest)
        {
            return new Rejection(RejectionReason.TimestampInFuture, $"reportedAt {e.ReportedAt:O} is in the future");
        }
        if (e.OccurredAt < project.ExistsSinceUtc)
        {
            return new Rejection(RejectionReason.BeforeProjectExisted,
                $"occurredAt {e.OccurredAt:O} is before project '{project.Id}' existed ({project.ExistsSince:yyyy-MM-dd})");
        }
        if (e.ReportedAt < e.OccurredAt)
        {
            return new Rejection(RejectionReason.ReportedBeforeOccurred,
                $"reportedAt {e.ReportedAt:O} is before occurredAt {e.OccurredAt:O}");
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
    internal static string Clip(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 80), "…");
}
