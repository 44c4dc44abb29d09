using Milestones.Domain.Projects;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>A reached milestone inside a project document or a completion.</summary>
[BsonIgnoreExtraElements]
public sealed class ReachedMilestoneDocument
{
    [BsonElement("code")]
    public required string Code { get; init; }

    [BsonElement("occurredAt")]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset OccurredAt { get; init; }

    [BsonElement("eventId")]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public required Guid EventId { get; init; }

    [BsonElement("sourceSystem")]
    public required string SourceSystem { get; init; }

    [BsonElement("reportedAt")]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset ReportedAt { get; init; }

    public static ReachedMilestoneDocument From(ReachedMilestone milestone)
    {
        ArgumentNullException.ThrowIfNull(milestone);
        return new ReachedMilestoneDocument
        {
            Code = milestone.Code,
            OccurredAt = milestone.OccurredAt.ToUniversalTime(),
            EventId = milestone.EventId,
            SourceSystem = milestone.SourceSystem,
            ReportedAt = milestone.ReportedAt.ToUniversalTime(),
        };
    }

    public ReachedMilestone ToDomain() => new(Code, OccurredAt, EventId, SourceSystem, ReportedAt);
}
