using Milestones.Domain.Projects;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>A metric's reading inside a project document (<c>progress[]</c>) or an announcement; the value as text (<see cref="StoredDecimal"/>).</summary>
[BsonIgnoreExtraElements]
public sealed class ProgressReadingDocument
{
    [BsonElement("metric")]
    public required string Metric { get; init; }

    [BsonElement("value")]
    public required string Value { get; init; }

    [BsonElement("unit")]
    public required string Unit { get; init; }

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

    public static ProgressReadingDocument From(ProgressReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return new ProgressReadingDocument
        {
            Metric = reading.Metric,
            Value = StoredDecimal.Write(reading.Value),
            Unit = reading.Unit,
            OccurredAt = reading.OccurredAt.ToUniversalTime(),
            EventId = reading.EventId,
            SourceSystem = reading.SourceSystem,
            ReportedAt = reading.ReportedAt.ToUniversalTime(),
        };
    }

    public ProgressReading ToDomain() => new(Metric, StoredDecimal.Read(Value), Unit, OccurredAt, EventId, SourceSystem, ReportedAt);
}

/// <summary>A target's record inside a project document (<c>targetsMet[]</c>): how many times it became met, and whether it is met now.</summary>
[BsonIgnoreExtraElements]
public sealed class TargetRecordDocument
{
    [BsonElement("metric")]
    public required string Metric { get; init; }

    [BsonElement("timesMet")]
    public required int TimesMet { get; init; }

    [BsonElement("isMet")]
    public required bool IsMet { get; init; }
}

/// <summary>A met target inside a completion (<c>outbox[].targets[]</c>): the target value (as text) and the reading that met it.</summary>
[BsonIgnoreExtraElements]
public sealed class MetTargetDocument
{
    [BsonElement("target")]
    public required string Target { get; init; }

    [BsonElement("reading")]
    public required ProgressReadingDocument Reading { get; init; }

    public static MetTargetDocument From(MetTarget met)
    {
        ArgumentNullException.ThrowIfNull(met);
        return new MetTargetDocument { Target = StoredDecimal.Write(met.Target), Reading = ProgressReadingDocument.From(met.Reading) };
    }

    public MetTarget ToDomain() => new(StoredDecimal.Read(Target), Reading.ToDomain());
}
