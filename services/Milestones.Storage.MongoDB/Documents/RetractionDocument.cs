using Milestones.Domain.Projects;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>
/// A retraction as a project keeps it (in <c>projects.retractions</c>) and as a reopening announces it
/// (<c>outbox[].retraction</c>): one shape for both, so the announced retraction is exactly the one the state holds.
/// </summary>
[BsonIgnoreExtraElements]
public sealed class RetractionDocument
{
    [BsonElement("retractionEventId")]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public required Guid RetractionEventId { get; init; }

    [BsonElement("retractedEventId")]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public required Guid RetractedEventId { get; init; }

    [BsonElement("retractedBy")]
    public required string RetractedBy { get; init; }

    [BsonElement("byDistrictOffice")]
    public required bool ByDistrictOffice { get; init; }

    [BsonElement("reason")]
    public required string Reason { get; init; }

    [BsonElement("retractedAt")]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset RetractedAt { get; init; }

    public static RetractionDocument From(RetractionRecord retraction)
    {
        ArgumentNullException.ThrowIfNull(retraction);
        return new RetractionDocument
        {
            RetractionEventId = retraction.RetractionEventId,
            RetractedEventId = retraction.RetractedEventId,
            RetractedBy = retraction.RetractedBy,
            ByDistrictOffice = retraction.ByDistrictOffice,
            Reason = retraction.Reason,
            RetractedAt = retraction.RetractedAt.ToUniversalTime(),
        };
    }

    public RetractionRecord ToDomain() => new(RetractionEventId, RetractedEventId, RetractedBy, ByDistrictOffice, Reason, RetractedAt);
}
