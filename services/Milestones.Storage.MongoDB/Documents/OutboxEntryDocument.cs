using System.Globalization;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>
/// A pending announcement (<c>ProjectCompleted</c>, <c>ProjectReopened</c>, <c>TargetMet</c>, <c>MilestoneOverdue</c>
/// or the event feed's <c>MilestoneRecorded</c>), embedded in its project's document so
/// that the state change and the intent to publish are one single-document write. Removed from the document once
/// published.
/// <para>
/// One flat shape for every kind, told apart by <see cref="Kind"/>, rather than a polymorphic class hierarchy: the
/// driver's discriminators (<c>_t</c>) would tie stored documents to CLR type names, and an entry written by the
/// version before reopenings (no <c>kind</c>, completion fields only) must still load as the completion it is.
/// Only the fields of the entry's kind are stored; the others are omitted.
/// </para>
/// </summary>
[BsonIgnoreExtraElements]
public sealed class OutboxEntryDocument
{
    public const string MessageIdField = "messageId";
    public const string EnqueuedAtField = "enqueuedAt";
    public const string KindField = "kind";

    /// <summary>The <see cref="Kind"/> of a <see cref="ProjectCompletion"/>; also what an entry without a kind is.</summary>
    public const string Completed = "completed";

    /// <summary>The <see cref="Kind"/> of a <see cref="ProjectReopening"/>.</summary>
    public const string Reopened = "reopened";

    /// <summary>The <see cref="Kind"/> of a <see cref="TargetAchievement"/>.</summary>
    public const string TargetMet = "target-met";

    /// <summary>The <see cref="Kind"/> of an <see cref="OverdueNotice"/>.</summary>
    public const string Overdue = "overdue";

    /// <summary>The <see cref="Kind"/> of an <see cref="EventRecordedNotice"/> (the event feed's item).</summary>
    public const string Recorded = "recorded";

    [BsonElement(MessageIdField)]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public required Guid MessageId { get; init; }

    [BsonElement(EnqueuedAtField)]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>
    /// <see cref="Completed"/>, <see cref="Reopened"/>, <see cref="TargetMet"/>, <see cref="Overdue"/> or <see cref="Recorded"/>;
    /// null (absent) in entries written before reopenings, which are completions.
    /// </summary>
    [BsonElement(KindField)]
    [BsonIgnoreIfNull]
    public string? Kind { get; init; }

    // --- A completion ---

    [BsonElement("completionNumber")]
    [BsonIgnoreIfNull]
    public int? CompletionNumber { get; init; }

    [BsonElement("completedAt")]
    [BsonRepresentation(BsonType.Document)]
    [BsonIgnoreIfNull]
    public DateTimeOffset? CompletedAt { get; init; }

    [BsonElement("milestones")]
    [BsonIgnoreIfNull]
    public List<ReachedMilestoneDocument>? Milestones { get; init; }

    [BsonElement("triggeringEventId")]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    [BsonIgnoreIfNull]
    public Guid? TriggeringEventId { get; init; }

    // --- A reopening ---

    [BsonElement("reopenNumber")]
    [BsonIgnoreIfNull]
    public int? ReopenNumber { get; init; }

    /// <summary>The required milestones the project no longer has, in plan order.</summary>
    [BsonElement("missingMilestones")]
    [BsonIgnoreIfNull]
    public List<string>? MissingMilestones { get; init; }

    [BsonElement("retraction")]
    [BsonIgnoreIfNull]
    public RetractionDocument? Retraction { get; init; }

    /// <summary>The required targets and the readings that met them; absent in completions written before targets, which had none.</summary>
    [BsonElement("targets")]
    [BsonIgnoreIfNull]
    public List<MetTargetDocument>? Targets { get; init; }

    /// <summary>
    /// What reopened the project: <c>retraction</c>, <c>progress</c> or <c>plan-amended</c>; absent in reopenings written
    /// before the other causes, which were retractions. Its event is <see cref="TriggeringEventId"/>, its source
    /// <see cref="TriggeredBy"/>.
    /// </summary>
    [BsonElement("cause")]
    [BsonIgnoreIfNull]
    public string? Cause { get; init; }

    [BsonElement("triggeredBy")]
    [BsonIgnoreIfNull]
    public string? TriggeredBy { get; init; }

    [BsonElement("reason")]
    [BsonIgnoreIfNull]
    public string? Reason { get; init; }

    [BsonElement("unmetTargets")]
    [BsonIgnoreIfNull]
    public List<string>? UnmetTargets { get; init; }

    // --- A target met ---

    [BsonElement("metric")]
    [BsonIgnoreIfNull]
    public string? Metric { get; init; }

    /// <summary>How many times the target became met, this time included.</summary>
    [BsonElement("number")]
    [BsonIgnoreIfNull]
    public int? Number { get; init; }

    /// <summary>The target value, as text (<see cref="StoredDecimal"/>).</summary>
    [BsonElement("target")]
    [BsonIgnoreIfNull]
    public string? Target { get; init; }

    [BsonElement("reading")]
    [BsonIgnoreIfNull]
    public ProgressReadingDocument? Reading { get; init; }

    // --- A milestone overdue ---

    [BsonElement("milestoneCode")]
    [BsonIgnoreIfNull]
    public string? MilestoneCode { get; init; }

    /// <summary>The due day, <c>yyyy-MM-dd</c>.</summary>
    [BsonElement("due")]
    [BsonIgnoreIfNull]
    public string? Due { get; init; }

    [BsonElement("detectedAt")]
    [BsonRepresentation(BsonType.Document)]
    [BsonIgnoreIfNull]
    public DateTimeOffset? DetectedAt { get; init; }

    [BsonElement("daysLate")]
    [BsonIgnoreIfNull]
    public int? DaysLate { get; init; }

    // --- An event recorded (the feed) ---

    /// <summary>The event as recorded, in the shape of its <c>events</c> document (whose <c>applied</c> means nothing here).</summary>
    [BsonElement("event")]
    [BsonIgnoreIfNull]
    public EventDocument? Event { get; init; }

    [BsonElement("changed")]
    [BsonIgnoreIfNull]
    public bool? Changed { get; init; }

    [BsonElement("projectComplete")]
    [BsonIgnoreIfNull]
    public bool? ProjectComplete { get; init; }

    /// <summary>W3C trace context of the work that committed the entry, so its publish continues that trace.</summary>
    [BsonElement("traceParent")]
    [BsonIgnoreIfNull]
    public string? TraceParent { get; init; }

    public static OutboxEntryDocument From(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Message switch
        {
            ProjectCompletion completion => new OutboxEntryDocument
            {
                MessageId = entry.MessageId,
                EnqueuedAt = entry.EnqueuedAt.ToUniversalTime(),
                // Written explicitly although absence means the same, so every new entry says what it is.
                Kind = Completed,
                CompletionNumber = completion.CompletionNumber,
                CompletedAt = completion.CompletedAt.ToUniversalTime(),
                Milestones = completion.Milestones.Select(ReachedMilestoneDocument.From).ToList(),
                TriggeringEventId = completion.TriggeringEventId,
                Targets = completion.Targets.Count == 0 ? null : completion.Targets.Select(MetTargetDocument.From).ToList(),
                TraceParent = entry.TraceParent,
            },
            ProjectReopening reopening => new OutboxEntryDocument
            {
                MessageId = entry.MessageId,
                EnqueuedAt = entry.EnqueuedAt.ToUniversalTime(),
                Kind = Reopened,
                ReopenNumber = reopening.ReopenNumber,
                MissingMilestones = [.. reopening.MissingMilestones],
                Retraction = reopening.Retraction is null ? null : RetractionDocument.From(reopening.Retraction),
                Cause = CauseCode(reopening.Cause),
                TriggeringEventId = reopening.TriggeringEventId,
                TriggeredBy = reopening.TriggeredBy,
                Reason = reopening.Reason,
                UnmetTargets = [.. reopening.UnmetTargets],
                TraceParent = entry.TraceParent,
            },
            TargetAchievement achievement => new OutboxEntryDocument
            {
                MessageId = entry.MessageId,
                EnqueuedAt = entry.EnqueuedAt.ToUniversalTime(),
                Kind = TargetMet,
                Metric = achievement.Metric,
                Number = achievement.Number,
                Target = StoredDecimal.Write(achievement.Target),
                Reading = ProgressReadingDocument.From(achievement.Reading),
                TriggeringEventId = achievement.TriggeringEventId,
                TraceParent = entry.TraceParent,
            },
            OverdueNotice overdue => new OutboxEntryDocument
            {
                MessageId = entry.MessageId,
                EnqueuedAt = entry.EnqueuedAt.ToUniversalTime(),
                Kind = Overdue,
                MilestoneCode = overdue.MilestoneCode,
                Due = overdue.Due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                DetectedAt = overdue.DetectedAt.ToUniversalTime(),
                DaysLate = overdue.DaysLate,
                TraceParent = entry.TraceParent,
            },
            EventRecordedNotice recorded => new OutboxEntryDocument
            {
                MessageId = entry.MessageId,
                EnqueuedAt = entry.EnqueuedAt.ToUniversalTime(),
                Kind = Recorded,
                Event = EventDocument.From(recorded.Event),
                Changed = recorded.Changed,
                ProjectComplete = recorded.ProjectComplete,
                TraceParent = entry.TraceParent,
            },
            _ => throw new ArgumentException($"Outbox entry {entry.MessageId} holds a {entry.Message.GetType().Name}, which this store cannot keep.", nameof(entry)),
        };
    }

    /// <summary>The entry of <paramref name="projectId"/>; the project id is the enclosing document's <c>_id</c>.</summary>
    /// <exception cref="InvalidOperationException">
    /// The stored entry is of a kind this version does not know (written by a newer one) or lacks a field of its kind:
    /// refusing it is better than publishing a wrong announcement under its message id.
    /// </exception>
    public OutboxEntry ToDomain(string projectId)
    {
        ProjectAnnouncement message = Kind switch
        {
            null or Completed => new ProjectCompletion(
                projectId,
                CompletionNumber ?? throw Missing("completionNumber"),
                CompletedAt ?? throw Missing("completedAt"),
                (Milestones ?? throw Missing("milestones")).Select(m => m.ToDomain()).ToList(),
                TriggeringEventId ?? throw Missing("triggeringEventId"))
            {
                Targets = (Targets ?? []).Select(t => t.ToDomain()).ToList(),
            },
            Reopened => ToReopening(projectId),
            TargetMet => new TargetAchievement(
                projectId,
                Metric ?? throw Missing("metric"),
                Number ?? throw Missing("number"),
                StoredDecimal.Read(Target ?? throw Missing("target")),
                (Reading ?? throw Missing("reading")).ToDomain(),
                TriggeringEventId ?? throw Missing("triggeringEventId")),
            Overdue => new OverdueNotice(
                projectId,
                MilestoneCode ?? throw Missing("milestoneCode"),
                DateOnly.ParseExact(Due ?? throw Missing("due"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                DetectedAt ?? throw Missing("detectedAt"),
                DaysLate ?? throw Missing("daysLate")),
            Recorded => new EventRecordedNotice(
                (Event ?? throw Missing("event")).ToRecord(),
                Changed ?? throw Missing("changed"),
                ProjectComplete ?? throw Missing("projectComplete")),
            _ => throw new InvalidOperationException($"Outbox entry {MessageId} of project '{projectId}' is of unknown kind '{Kind}'."),
        };
        return new OutboxEntry(MessageId, projectId, EnqueuedAt, message, TraceParent);

        InvalidOperationException Missing(string field) =>
            new($"Outbox entry {MessageId} of project '{projectId}' ({Kind ?? Completed}) has no '{field}'.");
    }

    /// <summary>A reopening; one without a cause was written before the other causes, and is a retraction's.</summary>
    ProjectReopening ToReopening(string projectId)
    {
        var cause = Cause switch
        {
            null or RetractionCause => ReopenCause.Retraction,
            ProgressCause => ReopenCause.Progress,
            PlanAmendedCause => ReopenCause.PlanAmended,
            _ => throw new InvalidOperationException($"Outbox entry {MessageId} of project '{projectId}' is a reopening of unknown cause '{Cause}'."),
        };
        var retraction = Retraction?.ToDomain();
        if (cause == ReopenCause.Retraction && retraction is null)
        {
            throw new InvalidOperationException($"Outbox entry {MessageId} of project '{projectId}' ({Reopened}) has no 'retraction'.");
        }
        return new ProjectReopening(
            projectId,
            ReopenNumber ?? throw new InvalidOperationException($"Outbox entry {MessageId} of project '{projectId}' ({Reopened}) has no 'reopenNumber'."),
            MissingMilestones ?? throw new InvalidOperationException($"Outbox entry {MessageId} of project '{projectId}' ({Reopened}) has no 'missingMilestones'."),
            retraction)
        {
            Cause = cause,
            // Older reopenings name their event only through the retraction.
            TriggeringEventId = TriggeringEventId ?? retraction?.RetractionEventId ?? Guid.Empty,
            TriggeredBy = TriggeredBy ?? retraction?.RetractedBy ?? string.Empty,
            Reason = Reason ?? retraction?.Reason ?? string.Empty,
            UnmetTargets = UnmetTargets ?? [],
        };
    }

    const string RetractionCause = "retraction";
    const string ProgressCause = "progress";
    const string PlanAmendedCause = "plan-amended";

    static string CauseCode(ReopenCause cause) => cause switch
    {
        ReopenCause.Retraction => RetractionCause,
        ReopenCause.Progress => ProgressCause,
        ReopenCause.PlanAmended => PlanAmendedCause,
        _ => throw new ArgumentOutOfRangeException(nameof(cause), cause, null),
    };
}
