using Milestones.Domain.Storage;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>
/// One recorded event in the <c>events</c> collection: a milestone report, or a retraction when
/// <see cref="RetractedEventId"/> is set, or (by <see cref="Kind"/>) a progress report, a registration or an overdue
/// finding. All kinds share the collection so that an event id is unique across them
/// (the <c>_id</c>) and the timeline, which the recorder reads to recompute a milestone after a retraction, shows
/// them in one order. <see cref="Applied"/> turns true once the project document carries the event's effect; only
/// applied events are part of the timeline.
/// </summary>
[BsonIgnoreExtraElements]
public sealed class EventDocument
{
    public const string CollectionName = "events";

    public const string ProjectIdField = "projectId";
    public const string OccurredAtField = "occurredAt";
    public const string RecordedAtField = "recordedAt";
    public const string FingerprintField = "fingerprint";
    public const string AppliedField = "applied";
    public const string RetractedEventIdField = "retractedEventId";
    public const string KindField = "kind";

    [BsonId]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public required Guid Id { get; init; }

    [BsonElement(ProjectIdField)]
    public required string ProjectId { get; init; }

    [BsonElement("milestoneCode")]
    public required string MilestoneCode { get; init; }

    [BsonElement(OccurredAtField)]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset OccurredAt { get; init; }

    [BsonElement("reportedAt")]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset ReportedAt { get; init; }

    [BsonElement("sourceSystem")]
    public required string SourceSystem { get; init; }

    [BsonElement("note")]
    [BsonIgnoreIfNull]
    public string? Note { get; init; }

    [BsonElement("evidenceUrl")]
    [BsonIgnoreIfNull]
    public string? EvidenceUrl { get; init; }

    [BsonElement(FingerprintField)]
    public required string Fingerprint { get; init; }

    [BsonElement(RecordedAtField)]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset RecordedAt { get; init; }

    [BsonElement(AppliedField)]
    public bool Applied { get; init; }

    /// <summary>
    /// The report a retraction withdraws; absent on a report, so report documents keep the shape they had before
    /// retractions existed and those written by the previous version read as reports.
    /// </summary>
    [BsonElement(RetractedEventIdField)]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    [BsonIgnoreIfNull]
    public Guid? RetractedEventId { get; init; }

    /// <summary>
    /// What the event is, as its stored code (<see cref="EventKinds"/>): <c>reached</c>, <c>retracted</c>, <c>progress</c>,
    /// <c>registered</c> or <c>overdue</c>. Absent in documents written before kinds were stored: those are reports, or
    /// retractions when they have <see cref="RetractedEventId"/>.
    /// </summary>
    [BsonElement(KindField)]
    [BsonIgnoreIfNull]
    public string? Kind { get; init; }

    /// <summary>A progress report's metric, value (as text) and unit; on the retraction of one, the withdrawn report's.</summary>
    [BsonElement("progress")]
    [BsonIgnoreIfNull]
    public ProgressValueDocument? Progress { get; init; }

    /// <summary>A registration's entry as JSON, or an overdue finding's due date (<c>yyyy-MM-dd</c>).</summary>
    [BsonElement("detail")]
    [BsonIgnoreIfNull]
    public string? Detail { get; init; }

    /// <summary>A registration's revision.</summary>
    [BsonElement("revision")]
    [BsonIgnoreIfNull]
    public int? Revision { get; init; }

    /// <summary>A new, not yet applied event document. Instants are stored in UTC with their exact ticks.</summary>
    public static EventDocument From(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new EventDocument
        {
            Id = record.EventId,
            ProjectId = record.ProjectId,
            MilestoneCode = record.MilestoneCode,
            OccurredAt = record.OccurredAt.ToUniversalTime(),
            ReportedAt = record.ReportedAt.ToUniversalTime(),
            SourceSystem = record.SourceSystem,
            Note = record.Note,
            EvidenceUrl = record.EvidenceUrl,
            Fingerprint = record.Fingerprint,
            RecordedAt = record.RecordedAt.ToUniversalTime(),
            Applied = false,
            RetractedEventId = record.RetractedEventId,
            Kind = EventKinds.Code(record.Kind),
            Progress = record.Progress is { } p ? new ProgressValueDocument { Metric = p.Metric, Value = StoredDecimal.Write(p.Value), Unit = p.Unit } : null,
            Detail = record.Detail,
            Revision = record.Revision,
        };
    }

    public EventRecord ToRecord() =>
        new(Id, ProjectId, MilestoneCode, OccurredAt, ReportedAt, SourceSystem, Note, EvidenceUrl, Fingerprint, RecordedAt, RetractedEventId)
        {
            Kind = EventKinds.Parse(Kind, RetractedEventId),
            Progress = Progress is { } p ? new ProgressValue(p.Metric, StoredDecimal.Read(p.Value), p.Unit) : null,
            Detail = Detail,
            Revision = Revision,
        };
}

/// <summary>An event's metric, value (as text, see <see cref="StoredDecimal"/>) and unit.</summary>
[BsonIgnoreExtraElements]
public sealed class ProgressValueDocument
{
    [BsonElement("metric")]
    public required string Metric { get; init; }

    [BsonElement("value")]
    public required string Value { get; init; }

    [BsonElement("unit")]
    public required string Unit { get; init; }
}
