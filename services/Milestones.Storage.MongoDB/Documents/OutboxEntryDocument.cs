using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>
/// A pending <c>ProjectCompleted</c>, embedded in its project's document so that the state change and the intent
/// to publish are one single-document write. Removed from the document once published.
/// </summary>
[BsonIgnoreExtraElements]
public sealed class OutboxEntryDocument
{
    public const string MessageIdField = "messageId";
    public const string EnqueuedAtField = "enqueuedAt";

    [BsonElement(MessageIdField)]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public required Guid MessageId { get; init; }

    [BsonElement(EnqueuedAtField)]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset EnqueuedAt { get; init; }

    [BsonElement("completionNumber")]
    public required int CompletionNumber { get; init; }

    [BsonElement("completedAt")]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset CompletedAt { get; init; }

    [BsonElement("milestones")]
    public required List<ReachedMilestoneDocument> Milestones { get; init; }

    [BsonElement("triggeringEventId")]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public required Guid TriggeringEventId { get; init; }

    /// <summary>W3C trace context of the work that committed the entry, so its publish continues that trace.</summary>
    [BsonElement("traceParent")]
    [BsonIgnoreIfNull]
    public string? TraceParent { get; init; }

    public static OutboxEntryDocument From(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new OutboxEntryDocument
        {
            MessageId = entry.MessageId,
            EnqueuedAt = entry.EnqueuedAt.ToUniversalTime(),
            CompletionNumber = entry.Completion.CompletionNumber,
            CompletedAt = entry.Completion.CompletedAt.ToUniversalTime(),
            Milestones = entry.Completion.Milestones.Select(ReachedMilestoneDocument.From).ToList(),
            TriggeringEventId = entry.Completion.TriggeringEventId,
            TraceParent = entry.TraceParent,
        };
    }

    /// <summary>The entry of <paramref name="projectId"/>; the project id is the enclosing document's <c>_id</c>.</summary>
    public OutboxEntry ToDomain(string projectId)
    {
        var completion = new ProjectCompletion(projectId, CompletionNumber, CompletedAt, Milestones.Select(m => m.ToDomain()).ToList(), TriggeringEventId);
        return new OutboxEntry(MessageId, projectId, EnqueuedAt, completion, TraceParent);
    }
}
