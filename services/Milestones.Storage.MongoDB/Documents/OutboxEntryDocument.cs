using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>
/// A pending announcement (<c>ProjectCompleted</c> or <c>ProjectReopened</c>), embedded in its project's document so
/// that the state change and the intent to publish are one single-document write. Removed from the document once
/// published.
/// <para>
/// One flat shape for both kinds, told apart by <see cref="Kind"/>, rather than a polymorphic class hierarchy: the
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

    [BsonElement(MessageIdField)]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public required Guid MessageId { get; init; }

    [BsonElement(EnqueuedAtField)]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset EnqueuedAt { get; init; }

    /// <summary><see cref="Completed"/> or <see cref="Reopened"/>; null (absent) in entries written before reopenings, which are completions.</summary>
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
                TriggeringEventId ?? throw Missing("triggeringEventId")),
            Reopened => new ProjectReopening(
                projectId,
                ReopenNumber ?? throw Missing("reopenNumber"),
                MissingMilestones ?? throw Missing("missingMilestones"),
                (Retraction ?? throw Missing("retraction")).ToDomain()),
            _ => throw new InvalidOperationException($"Outbox entry {MessageId} of project '{projectId}' is of unknown kind '{Kind}'."),
        };
        return new OutboxEntry(MessageId, projectId, EnqueuedAt, message, TraceParent);

        InvalidOperationException Missing(string field) =>
            new($"Outbox entry {MessageId} of project '{projectId}' ({Kind ?? Completed}) has no '{field}'.");
    }
}
