using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB.Documents;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// Every filter, update and index the store sends, in one place, so that tests can render them to BSON and pin the
/// concurrency protocol without a server. <see cref="MongoMilestoneStore"/> explains why each is shaped as it is.
/// </summary>
internal static class MongoStoreProtocol
{
    /// <summary>Sub-field of the driver's document form of a <see cref="DateTimeOffset"/> that holds its exact ticks (UTC here).</summary>
    internal const string TicksSuffix = ".Ticks";

    internal const string TimelineIndexName = "timeline";
    internal const string PendingIndexName = "outbox_pending";

    static FilterDefinitionBuilder<ProjectDocument> ProjectFilter => Builders<ProjectDocument>.Filter;
    static UpdateDefinitionBuilder<ProjectDocument> ProjectUpdate => Builders<ProjectDocument>.Update;
    static FilterDefinitionBuilder<EventDocument> EventFilter => Builders<EventDocument>.Filter;

    // --- Commit ---

    /// <summary>Step 2 (existing project): matches the project only at the version the new state was computed from.</summary>
    public static FilterDefinition<ProjectDocument> AtVersion(string projectId, long expectedVersion) =>
        ProjectFilter.Eq(d => d.Id, projectId) & ProjectFilter.Eq(d => d.Version, expectedVersion);

    /// <summary>
    /// Step 2 (existing project): the new state, the next version and the outbox entries, in one update.
    /// <para>
    /// The whole state is <c>$set</c>, retractions included, rather than <c>$push</c>-ing a new retraction: the update
    /// then writes the state the commit computed whatever the document held, so a commit repeated after a crash
    /// writes the same state again, and a document from before retractions gains the fields on its first update.
    /// Only classic operators (<c>$set</c>, <c>$inc</c>, <c>$push</c>, <c>$min</c>): no update pipeline, so the commit
    /// runs on servers that speak the wire protocol without MongoDB's aggregation engine.
    /// </para>
    /// </summary>
    public static UpdateDefinition<ProjectDocument> ApplyCommit(ProjectCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var updates = new List<UpdateDefinition<ProjectDocument>>
        {
            ProjectUpdate.Inc(d => d.Version, 1L),
            ProjectUpdate.Set(d => d.IsComplete, commit.State.IsComplete),
            ProjectUpdate.Set(d => d.CompletionCount, commit.State.CompletionCount),
            ProjectUpdate.Set(d => d.ReopenCount, commit.State.ReopenCount),
            ProjectUpdate.Set(d => d.Reached, ProjectDocument.ReachedOf(commit.State)),
            ProjectUpdate.Set(d => d.Retractions, ProjectDocument.RetractionsOf(commit.State)),
            ProjectUpdate.Set(d => d.UpdatedAt, commit.Event.RecordedAt.ToUniversalTime()),
        };
        var outbox = commit.Outbox.Select(OutboxEntryDocument.From).ToList();
        if (outbox.Count > 0)
        {
            updates.Add(ProjectUpdate.PushEach(d => d.Outbox, outbox));
            // $min creates the field when it is absent, which puts the project into the pending index.
            updates.Add(ProjectUpdate.Min(d => d.PendingSince, ProjectDocument.OldestOf(outbox)));
        }
        return ProjectUpdate.Combine(updates);
    }

    /// <summary>Steps 1 and 3: the event by its id.</summary>
    public static FilterDefinition<EventDocument> EventById(Guid eventId) => EventFilter.Eq(d => d.Id, eventId);

    /// <summary>Step 3: the event's effect is in the project document.</summary>
    public static UpdateDefinition<EventDocument> MarkApplied() => Builders<EventDocument>.Update.Set(d => d.Applied, true);

    // --- Queries ---

    public static FilterDefinition<ProjectDocument> ProjectById(string projectId) => ProjectFilter.Eq(d => d.Id, projectId);

    public static FilterDefinition<EventDocument> Timeline(string projectId) =>
        EventFilter.Eq(d => d.ProjectId, projectId) & EventFilter.Eq(d => d.Applied, true);

    /// <summary>
    /// The <c>limit</c> to send for a timeline of at most <paramref name="limit"/> events; null sends none. The recorder
    /// asks for <see cref="int.MaxValue"/> (the whole timeline) to recompute a milestone after a retraction: that is
    /// sent as no limit at all, which every server reads the same way, rather than as a limit of 2³¹−1.
    /// </summary>
    public static int? TimelineLimit(int limit)
    {
        // A limit of 0 means "no limit" to MongoDB and a negative one "a single batch": neither is what a caller of
        // GetTimeline asked for, so those never reach the server (the store answers them with an empty timeline).
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return limit == int.MaxValue ? null : limit;
    }

    /// <summary>By when the event happened, then by when it was recorded; the id makes the order total.</summary>
    public static SortDefinition<EventDocument> TimelineOrder { get; } = Builders<EventDocument>.Sort
        .Ascending(EventDocument.OccurredAtField + TicksSuffix)
        .Ascending(EventDocument.RecordedAtField + TicksSuffix)
        .Ascending("_id");

    // --- Outbox ---

    /// <summary>
    /// A project with pending entries whose lease is free, expired, or already this owner's; <paramref name="skip"/>
    /// holds the projects this claim already took. The <c>pendingSince</c> condition lets the partial index serve it.
    /// </summary>
    public static FilterDefinition<ProjectDocument> Claimable(string owner, DateTime now, IEnumerable<string> skip) =>
        ProjectFilter.Exists(d => d.PendingSince)
        & ProjectFilter.Nin(d => d.Id, skip)
        & (ProjectFilter.Exists(d => d.LeaseUntil, false)
           | ProjectFilter.Lt(d => d.LeaseUntil, now)
           | ProjectFilter.Eq(d => d.LeaseOwner, owner));

    /// <summary>Takes the lease. It leaves the version alone, so dispatching never conflicts with recording.</summary>
    public static UpdateDefinition<ProjectDocument> Lease(string owner, DateTime until) =>
        ProjectUpdate.Set(d => d.LeaseOwner, owner).Set(d => d.LeaseUntil, until);

    public static SortDefinition<ProjectDocument> OldestPendingFirst { get; } = Builders<ProjectDocument>.Sort.Ascending(d => d.PendingSince);

    /// <summary>The projects holding any of these entries.</summary>
    public static FilterDefinition<ProjectDocument> Holding(IReadOnlyCollection<Guid> messageIds) =>
        ProjectFilter.ElemMatch(d => d.Outbox, Builders<OutboxEntryDocument>.Filter.In(e => e.MessageId, messageIds));

    /// <summary>
    /// Removes the sent entries, then in the same atomic update recomputes <c>pendingSince</c> from what is left;
    /// when nothing is left, <c>pendingSince</c> and the lease are removed and the project leaves the pending index.
    /// </summary>
    public static UpdateDefinition<ProjectDocument> RemoveSent(IReadOnlyCollection<Guid> messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        const string outbox = "$" + ProjectDocument.OutboxField;
        var ids = new BsonArray(messageIds.Select(id => new BsonBinaryData(id, GuidRepresentation.Standard)));
        var empty = new BsonDocument("$eq", new BsonArray { new BsonDocument("$size", outbox), 0 });
        BsonDocument UnlessEmpty(BsonValue value) =>
            new("$cond", new BsonDocument { { "if", empty }, { "then", "$$REMOVE" }, { "else", value } });

        var removeSent = new BsonDocument("$set", new BsonDocument(ProjectDocument.OutboxField, new BsonDocument("$filter", new BsonDocument
        {
            { "input", outbox },
            { "as", "entry" },
            { "cond", new BsonDocument("$not", new BsonArray { new BsonDocument("$in", new BsonArray { "$$entry." + OutboxEntryDocument.MessageIdField, ids }) }) },
        })));
        var refreshPending = new BsonDocument("$set", new BsonDocument
        {
            { ProjectDocument.PendingSinceField, UnlessEmpty(new BsonDocument("$min", $"{outbox}.{OutboxEntryDocument.EnqueuedAtField}.DateTime")) },
            { ProjectDocument.LeaseOwnerField, UnlessEmpty("$" + ProjectDocument.LeaseOwnerField) },
            { ProjectDocument.LeaseUntilField, UnlessEmpty("$" + ProjectDocument.LeaseUntilField) },
        });
        return new PipelineUpdateDefinition<ProjectDocument>(PipelineDefinition<ProjectDocument, ProjectDocument>.Create(removeSent, refreshPending));
    }

    /// <summary>Counts pending entries and finds the oldest, visiting only the projects in the pending index.</summary>
    public static PipelineDefinition<ProjectDocument, BsonDocument> Backlog { get; } = PipelineDefinition<ProjectDocument, BsonDocument>.Create(
        new BsonDocument("$match", new BsonDocument(ProjectDocument.PendingSinceField, new BsonDocument("$exists", true))),
        new BsonDocument("$unwind", "$" + ProjectDocument.OutboxField),
        new BsonDocument("$group", new BsonDocument
        {
            { "_id", BsonNull.Value },
            { "count", new BsonDocument("$sum", 1) },
            { "oldestTicks", new BsonDocument("$min", $"${ProjectDocument.OutboxField}.{OutboxEntryDocument.EnqueuedAtField}{TicksSuffix}") },
        }));

    // --- Indexes (the _id indexes make event ids and project ids unique) ---

    public static CreateIndexModel<EventDocument> TimelineIndex { get; } = new(
        Builders<EventDocument>.IndexKeys
            .Ascending(d => d.ProjectId)
            .Ascending(EventDocument.OccurredAtField + TicksSuffix)
            .Ascending(EventDocument.RecordedAtField + TicksSuffix),
        new CreateIndexOptions { Name = TimelineIndexName });

    /// <summary>Only projects with pending entries are in this index, so a claim never scans every project.</summary>
    public static CreateIndexModel<ProjectDocument> PendingIndex { get; } = new(
        Builders<ProjectDocument>.IndexKeys.Ascending(d => d.PendingSince),
        new CreateIndexOptions<ProjectDocument>
        {
            Name = PendingIndexName,
            PartialFilterExpression = Builders<ProjectDocument>.Filter.Exists(d => d.PendingSince),
        });
}
