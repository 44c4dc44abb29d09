using System.Globalization;
using System.Text.RegularExpressions;

namespace Milestones.Contracts.Validation;

/// <summary>
/// The checks a publisher can make before sending, with the reason codes and words the service uses when it refuses a
/// message (each method returns the first reason, in the service's order, or null). Without a catalog it checks what
/// the message alone says: required fields, sizes, the evidence link, the vocabulary of stage codes, a negative value,
/// <c>reportedAt</c> before <c>occurredAt</c>, dates in the future (by <c>clock</c>, with the service's allowance for clock
/// skew) and the shape of a registered entry. With a <see cref="CatalogSnapshot"/> it also checks unknown project,
/// milestone not in the plan, before the project existed, unknown metric and unit mismatch. What only the service can
/// know is not checked: the sender (<c>sourceSystem</c> and the broker-validated <c>user_id</c>) and the catalog's source
/// rules (<c>unauthenticated-source</c>, <c>source-mismatch</c>, <c>source-not-authorized</c>; the service checks them
/// right after the project, so a message from a sender the catalog does not allow is refused for that first), a reused
/// event id (<c>conflict</c>), the body size, and what the service's own catalog holds by the time the message arrives.
/// </summary>
public sealed partial class MessageValidator
{
    readonly CatalogSnapshot? catalog;
    readonly TimeProvider clock;
    readonly MessageLimits limits;

    /// <summary>
    /// <paramref name="catalog"/>: the catalog the publisher holds, or null to skip the checks that need one;
    /// <paramref name="clock"/>: what "now" is (default the system clock); <paramref name="limits"/>: the service's limits
    /// (default <see cref="MessageLimits.Default"/>).
    /// </summary>
    public MessageValidator(CatalogSnapshot? catalog = null, TimeProvider? clock = null, MessageLimits? limits = null)
    {
        this.catalog = catalog;
        this.clock = clock ?? TimeProvider.System;
        this.limits = limits ?? MessageLimits.Default;
    }

    /// <summary>The first reason the service would refuse <paramref name="message"/>, or null.</summary>
    public MessageRejection? Validate(MilestoneReached message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var missing = message.EventId == Guid.Empty ? "eventId"
            : string.IsNullOrWhiteSpace(message.ProjectId) ? "projectId"
            : string.IsNullOrWhiteSpace(message.MilestoneCode) ? "milestoneCode"
            : message.OccurredAt == default ? "occurredAt"
            : message.ReportedAt == default ? "reportedAt"
            : null;
        if (missing is not null)
        {
            return Missing(missing);
        }
        var project = catalog?.Find(message.ProjectId);
        if (catalog is not null && project is null)
        {
            return UnknownProject(message.ProjectId);
        }
        if (!MilestoneCodes.IsKnown(message.MilestoneCode))
        {
            return new(RejectionCodes.UnknownMilestone,
                $"milestone code '{Clip(message.MilestoneCode)}' is not in the vocabulary ({string.Join(", ", MilestoneCodes.All)})");
        }
        if (project is not null && !PlanOf(project).Contains(message.MilestoneCode, StringComparer.Ordinal))
        {
            return new(RejectionCodes.MilestoneNotInPlan,
                $"milestone '{message.MilestoneCode}' is not in the plan of project '{project.Id}' ({string.Join(", ", PlanOf(project))})");
        }
        if (Times(message.OccurredAt, message.ReportedAt, project) is { } times)
        {
            return times;
        }
        if (TooLong("note", message.Note, limits.MaxNoteLength) is { } note)
        {
            return note;
        }
        if (message.EvidenceUrl is { } url)
        {
            if (TooLong("evidenceUrl", url, limits.MaxEvidenceUrlLength) is { } tooLong)
            {
                return tooLong;
            }
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return new(RejectionCodes.InvalidField, "evidenceUrl must be an absolute http or https link");
            }
        }
        return null;
    }

    /// <summary>The first reason the service would refuse <paramref name="message"/>, or null.</summary>
    public MessageRejection? Validate(MilestoneRetracted message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var missing = message.EventId == Guid.Empty ? "eventId"
            : string.IsNullOrWhiteSpace(message.ProjectId) ? "projectId"
            : message.RetractedEventId == Guid.Empty ? "retractedEventId"
            : string.IsNullOrWhiteSpace(message.Reason) ? "reason"
            : message.RetractedAt == default ? "retractedAt"
            : null;
        if (missing is not null)
        {
            return Missing(missing);
        }
        if (catalog is not null && catalog.Find(message.ProjectId) is null)
        {
            return UnknownProject(message.ProjectId);
        }
        if (message.RetractedAt > Latest)
        {
            return InFuture("retractedAt", message.RetractedAt);
        }
        return TooLong("reason", message.Reason, limits.MaxNoteLength);
    }

    /// <summary>The first reason the service would refuse <paramref name="message"/>, or null.</summary>
    public MessageRejection? Validate(ProgressReported message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var reportedAt = message.ReportedAt ?? message.OccurredAt;
        var missing = message.EventId == Guid.Empty ? "eventId"
            : string.IsNullOrWhiteSpace(message.ProjectId) ? "projectId"
            : string.IsNullOrWhiteSpace(message.Metric) ? "metric"
            : string.IsNullOrWhiteSpace(message.Unit) ? "unit"
            : message.OccurredAt == default ? "occurredAt"
            : reportedAt == default ? "reportedAt"
            : null;
        if (missing is not null)
        {
            return Missing(missing);
        }
        var project = catalog?.Find(message.ProjectId);
        if (catalog is not null && project is null)
        {
            return UnknownProject(message.ProjectId);
        }
        if (project is not null)
        {
            var targets = project.Targets ?? [];
            var target = targets.FirstOrDefault(t => string.Equals(t.Metric, message.Metric, StringComparison.Ordinal));
            if (target is null)
            {
                return new(RejectionCodes.UnknownMetric, targets.Count == 0
                    ? $"project '{project.Id}' has no quantitative target; metric '{Clip(message.Metric)}' cannot be reported"
                    : $"metric '{Clip(message.Metric)}' is not a target of project '{project.Id}' ({string.Join(", ", targets.Select(t => t.Metric))})");
            }
            if (!string.Equals(message.Unit, target.Unit, StringComparison.Ordinal))
            {
                return new(RejectionCodes.UnitMismatch,
                    $"metric '{target.Metric}' of project '{project.Id}' is measured in '{target.Unit}', not '{Clip(message.Unit)}'");
            }
        }
        if (message.Value < 0)
        {
            return new(RejectionCodes.InvalidField, $"value {message.Value} is negative");
        }
        return Times(message.OccurredAt, reportedAt, project) ?? TooLong("note", message.Note, limits.MaxNoteLength);
    }

    /// <summary>
    /// The first reason the service would refuse <paramref name="message"/>, or null. Whether the revision is higher than
    /// the one in force is decided by the service when it applies it: an older one is recorded and changes nothing.
    /// </summary>
    public MessageRejection? Validate(ProjectRegistered message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var missing = message.EventId == Guid.Empty ? "eventId"
            : string.IsNullOrWhiteSpace(message.Project?.Id) ? "project.id"
            : message.RegisteredAt == default ? "registeredAt"
            : null;
        if (missing is not null)
        {
            return Missing(missing);
        }
        if (message.RegisteredAt > Latest)
        {
            return InFuture("registeredAt", message.RegisteredAt);
        }
        if (EntryProblems(message.Project, message.Revision) is { Count: > 0 } problems)
        {
            return new(RejectionCodes.InvalidEntry, Clip(string.Join("; ", problems), 500));
        }
        return TooLong("note", message.Note, limits.MaxNoteLength);
    }

    /// <summary>Throws <see cref="MessageRejectedException"/> when the service would refuse <paramref name="message"/>.</summary>
    public void EnsureValid(MilestoneReached message) => ThrowIf(Validate(message));

    /// <inheritdoc cref="EnsureValid(MilestoneReached)"/>
    public void EnsureValid(MilestoneRetracted message) => ThrowIf(Validate(message));

    /// <inheritdoc cref="EnsureValid(MilestoneReached)"/>
    public void EnsureValid(ProgressReported message) => ThrowIf(Validate(message));

    /// <inheritdoc cref="EnsureValid(MilestoneReached)"/>
    public void EnsureValid(ProjectRegistered message) => ThrowIf(Validate(message));

    /// <summary>
    /// What is wrong with a catalog entry registered at <paramref name="revision"/>, in the service's words (each problem
    /// names the entry as <c>project #1 'id'</c>); empty when the catalog could hold it.
    /// </summary>
    public IReadOnlyList<string> EntryProblems(CatalogEntry? entry, int revision)
    {
        var errors = new List<string>();
        var id = entry?.Id ?? string.Empty;
        var name = $"project #1 '{id}'";
        if (string.IsNullOrWhiteSpace(id) || id.Length > limits.MaxProjectIdLength || !SlugPattern().IsMatch(id))
        {
            errors.Add($"{name}: id must be an ASCII slug (a-z, 0-9, '-'), at most {limits.MaxProjectIdLength} characters");
        }
        if (string.IsNullOrWhiteSpace(entry?.NameZh) || string.IsNullOrWhiteSpace(entry.NameEn) || string.IsNullOrWhiteSpace(entry.Area))
        {
            errors.Add($"{name}: nameZh, nameEn and area are required");
        }
        PlanProblems(entry, revision, name, errors);
        if (catalog?.SourceIds is { } sources)
        {
            errors.AddRange((entry?.Reporters ?? [])
                .Where(r => !sources.Contains(r, StringComparer.Ordinal))
                .Select(r => $"project '{id}': reporter '{r}' is not one of the catalog's sources"));
        }
        return errors;
    }

    static void PlanProblems(CatalogEntry? entry, int revision, string name, List<string> errors)
    {
        IReadOnlyList<string> milestones = entry?.Plan?.Milestones ?? [];
        IReadOnlyList<string> required = entry?.Plan?.Required ?? [];
        IReadOnlyList<CatalogTarget> targets = entry?.Targets ?? [];
        IReadOnlyList<CatalogScheduleItem> schedule = entry?.Schedule ?? [];
        // A district programme (高标准农田 300 亩) has no stages: its plan may be empty when it requires a target instead.
        var requiresTarget = targets.Any(t => t.Required);
        if (milestones.Count == 0 && !requiresTarget)
        {
            errors.Add($"{name}: the milestone plan is empty and no target is required");
            return;
        }
        if (required.Count == 0 && !requiresTarget)
        {
            errors.Add($"{name}: the plan requires no milestone and no target, so completion would mean nothing");
            return;
        }
        bool Applies(string? code) => milestones.Contains(code, StringComparer.Ordinal);
        errors.AddRange(milestones.Where(c => !MilestoneCodes.IsKnown(c)).Select(c => $"{name}: unknown milestone code '{c}' in plan.milestones"));
        if (milestones.Distinct(StringComparer.Ordinal).Count() != milestones.Count)
        {
            errors.Add($"{name}: plan.milestones lists a code twice");
        }
        errors.AddRange(required.Where(c => !Applies(c)).Select(c => $"{name}: required milestone '{c}' is not in plan.milestones"));
        errors.AddRange(targets
            .Where(t => string.IsNullOrWhiteSpace(t.Metric) || string.IsNullOrWhiteSpace(t.Unit) || t.Target <= 0)
            .Select(t => $"{name}: target '{t.Metric}' needs a metric name, a unit and a positive target"));
        if (targets.Select(t => t.Metric ?? string.Empty).Distinct(StringComparer.Ordinal).Count() != targets.Count)
        {
            errors.Add($"{name}: two targets have the same metric");
        }
        errors.AddRange(schedule.Where(s => !Applies(s.Milestone ?? string.Empty))
            .Select(s => $"{name}: the schedule names milestone '{s.Milestone}', which is not in plan.milestones"));
        if (schedule.Select(s => s.Milestone ?? string.Empty).Distinct(StringComparer.Ordinal).Count() != schedule.Count)
        {
            errors.Add($"{name}: the schedule lists a milestone twice");
        }
        if (revision < 1)
        {
            errors.Add($"{name}: revision must be 1 or more");
        }
    }

    DateTimeOffset Latest => clock.GetUtcNow() + limits.MaxClockSkew;

    MessageRejection? Times(DateTimeOffset occurredAt, DateTimeOffset reportedAt, CatalogEntry? project)
    {
        if (occurredAt > Latest)
        {
            return InFuture("occurredAt", occurredAt);
        }
        if (reportedAt > Latest)
        {
            return InFuture("reportedAt", reportedAt);
        }
        if (project is not null && occurredAt < new DateTimeOffset(project.ExistsSince.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero))
        {
            return new(RejectionCodes.BeforeProjectExisted,
                string.Create(CultureInfo.CurrentCulture, $"occurredAt {occurredAt:O} is before project '{project.Id}' existed ({project.ExistsSince:yyyy-MM-dd})"));
        }
        if (reportedAt < occurredAt)
        {
            return new(RejectionCodes.ReportedBeforeOccurred,
                string.Create(CultureInfo.CurrentCulture, $"reportedAt {reportedAt:O} is before occurredAt {occurredAt:O}"));
        }
        return null;
    }

    static IReadOnlyList<string> PlanOf(CatalogEntry project) => project.Plan?.Milestones ?? [];

    static MessageRejection Missing(string field) => new(RejectionCodes.MissingField, $"required field '{field}' is missing or empty");

    static MessageRejection UnknownProject(string projectId) => new(RejectionCodes.UnknownProject, $"project '{Clip(projectId)}' is not in the catalog");

    static MessageRejection InFuture(string field, DateTimeOffset value) =>
        new(RejectionCodes.TimestampInFuture, string.Create(CultureInfo.CurrentCulture, $"{field} {value:O} is in the future"));

    static MessageRejection? TooLong(string field, string? value, int max) =>
        value is { Length: var length } && length > max
            ? new(RejectionCodes.TooLarge, $"{field} has {length} characters; the limit is {max}")
            : null;

    static void ThrowIf(MessageRejection? rejection)
    {
        if (rejection is not null)
        {
            throw new MessageRejectedException(rejection);
        }
    }

    /// <summary>Keeps a hostile value from flooding logs and headers, as the service does.</summary>
    static string Clip(string value, int max = 80) => value.Length <= max ? value : string.Concat(value.AsSpan(0, max), "…");

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}
