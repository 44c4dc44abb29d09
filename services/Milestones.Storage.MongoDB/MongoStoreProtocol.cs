using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB.Documents;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// Every filter, update and index the store sends, in one place, so that tests can render them to BSON and pin the
/// concurrency protocol without a server. Why each is shaped as it is: the README ("The commit protocol", "The outbox").
/// </summary>
internal static class MongoStoreProtocol
{
    /// <summary>Sub-field of the driver's document form of a <see cref="DateTimeOffset"/> that holds its exact ticks (UTC here).</summary>
    internal const string TicksSuffix = ".Ticks";

    internal const string TimelineIndexName = "timeline_keyset";
    internal const string PendingIndexName = "outbox_pending_since";

    static FilterDefinitionBuilder<ProjectDocument> ProjectFilter => Builders<ProjectDocument>.Filter;
    static UpdateDefinitionBuilder<ProjectDocument> ProjectUpdate => Builders<ProjectDocument>.Update;
    static FilterDefinitionBuilder<EventDocument> EventFilter => Builders<EventDocument>.Filter;

    // --- Commit (the steps of MongoBatchCommit) ---

    /// <summary>Steps 2 and 4: the events of the batch by their ids, in one <c>$in</c>.</summary>
    public static FilterDefinition<EventDocument> EventsByIds(IEnumerable<Guid> eventIds) => EventFilter.In(d => d.Id, eventIds);

    /// <summary>Step 3 (existing project): matches the project only at the version the new state was computed from.</summary>
    public static FilterDefinition<ProjectDocument> AtVersion(string projectId, long expectedVersion) =>
        ProjectFilter.Eq(d => d.Id, projectId) & ProjectFilter.Eq(d => d.Version, expectedVersion);

    /// <summary>
    /// Step 3 (existing project): the new state, the next version and the outbox entries, in one update.
    /// <para>
    /// The whole state is <c>$set</c>, retractions included, rather than <c>$push</c>-ing a new retraction: the update
    /// then writes the state the commit computed whatever the document held, so a commit repeated after a crash
    /// writes the same state again, and a document from before retractions gains the fields on its first update.
    /// Only classic operators (<c>$set</c>, <c>$inc</c>, <c>$push</c> with <c>$each</c>, <c>$min</c>): no update
    /// pipeline, so the commit runs on servers that speak the wire protocol without MongoDB's aggregation engine
    /// (the README's "What it sends").
    /// </para>
    /// </summary>
    public static UpdateDefinition<ProjectDocument> ApplyCommit(ProjectCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        var updates = NextState(commit.State, ProjectDocument.UpdatedAtOf(commit));
        var outbox = commit.Outbox.Select(OutboxEntryDocument.From).ToList();
        if (outbox.Count > 0)
        {
            updates.Add(ProjectUpdate.PushEach(d => d.Outbox, outbox));
            // $min creates the field when it is absent, which puts the project into the pending index.
            updates.Add(ProjectUpdate.Min(d => d.PendingSince, ProjectDocument.OldestOf(outbox)));
        }
        return ProjectUpdate.Combine(updates);
    }

    /// <summary>
    /// The whole state <c>$set</c> at the next version (<c>$inc</c>), and when it was written: the update of the commit's
    /// step 3 (<see cref="ApplyCommit"/>, which adds the outbox entries) and of the repair
    /// (<see cref="MongoMaintenanceProtocol.ReplaceState"/>), so that both write every part of the state.
    /// </summary>
    public static List<UpdateDefinition<ProjectDocument>> NextState(Milestones.Domain.Projects.ProjectState state, DateTimeOffset updatedAt)
    {
        ArgumentNullException.ThrowIfNull(state);
        return
        [
            ProjectUpdate.Inc(d => d.Version, 1L),
            ProjectUpdate.Set(d => d.IsComplete, state.IsComplete),
            ProjectUpdate.Set(d => d.CompletionCount, state.CompletionCount),
            ProjectUpdate.Set(d => d.ReopenCount, state.ReopenCount),
            ProjectUpdate.Set(d => d.Reached, ProjectDocument.ReachedOf(state)),
            ProjectUpdate.Set(d => d.Retractions, ProjectDocument.RetractionsOf(state)),
            ProjectUpdate.Set(d => d.Progress, ProjectDocument.ProgressOf(state)),
            ProjectUpdate.Set(d => d.TargetsMet, ProjectDocument.TargetsMetOf(state)),
            ProjectUpdate.Set(d => d.Registration, RegistrationDocument.From(state.Registration)),
            ProjectUpdate.Set(d => d.OverdueNoticed, ProjectDocument.OverdueNoticedOf(state)),
            ProjectUpdate.Set(d => d.UpdatedAt, updatedAt.ToUniversalTime()),
        ];
    }

    /// <summary>Step 4: the events' effect is in their project documents; only applied events are in the timeline.</summary>
    public static UpdateDefinition<EventDocument> MarkApplied() => Builders<EventDocument>.Update.Set(d => d.Applied, true);

    /// <summary>
    /// Step 1: the positions (in the insert) of the events an unordered <c>insertMany</c> refused as duplicate keys, or
    /// null when it reported anything else (another write error, a write-concern error, requests not processed), which
    /// the commit must not read as "already recorded".
    /// </summary>
    public static IReadOnlySet<int>? DuplicatesOnly(
        IEnumerable<(int Index, ServerErrorCategory Category)> writeErrors, bool writeConcernFailed, int unprocessed)
    {
        ArgumentNullException.ThrowIfNull(writeErrors);
        if (writeConcernFailed || unprocessed > 0)
        {
            return null;
        }
        var duplicates = new HashSet<int>();
        foreach (var (index, category) in writeErrors)
        {
            if (category != ServerErrorCategory.DuplicateKey)
            {
                return null;
            }
            duplicates.Add(index);
        }
        return duplicates;
    }

    // --- Queries ---

    /// <summary>The projects a batch loads, in one <c>$in</c>.</summary>
    public static FilterDefinition<ProjectDocument> ProjectsByIds(IEnumerable<string> projectIds) => ProjectFilter.In(d => d.Id, projectIds);

    /// <summary>A project's state without its outbox, which loading and listing do not need.</summary>
    public static ProjectionDefinition<ProjectDocument> WithoutOutbox { get; } = Builders<ProjectDocument>.Projection.Exclude(d => d.Outbox);

    /// <summary>A project's applied events (an event is applied once its project's commit holds it).</summary>
    public static FilterDefinition<EventDocument> ProjectEvents(string projectId) =>
        EventFilter.Eq(d => d.ProjectId, projectId) & EventFilter.Eq(d => d.Applied, true);

    /// <summary>
    /// A project's applied events strictly beyond <see cref="TimelineQuery.After"/> in the query's order (all of them
    /// without a position): the keyset <c>(occurredAt.Ticks, recordedAt.Ticks, _id)</c> compared with classic operators,
    /// <c>{occurredAt.Ticks: {$gte: o}, $or: [{occurredAt.Ticks: {$gt: o}}, {occurredAt.Ticks: o, recordedAt.Ticks: {$gt: r}},
    /// {occurredAt.Ticks: o, recordedAt.Ticks: r, _id: {$gt: id}}]}</c> (<c>$lte</c>/<c>$lt</c> newest first). The
    /// <c>$gte</c> bound on the leading key lets the server start the index scan at the position; the <c>$or</c> is exact.
    /// Ids are standard-representation UUIDs, whose binary order is <see cref="TimelinePosition"/>'s text order.
    /// </summary>
    public static FilterDefinition<EventDocument> Timeline(string projectId, TimelineQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = ProjectEvents(projectId);
        if (query.After is not { } after)
        {
            return filter;
        }
        const string occurred = EventDocument.OccurredAtField + TicksSuffix;
        const string recorded = EventDocument.RecordedAtField + TicksSuffix;
        var newest = query.Order == TimelineOrder.NewestFirst;
        FilterDefinition<EventDocument> Beyond(FieldDefinition<EventDocument, long> field, long value) =>
            newest ? EventFilter.Lt(field, value) : EventFilter.Gt(field, value);
        var beyondId = newest ? EventFilter.Lt(d => d.Id, after.EventId) : EventFilter.Gt(d => d.Id, after.EventId);
        return filter
            & (newest ? EventFilter.Lte(occurred, after.OccurredAtUtcTicks) : EventFilter.Gte(occurred, after.OccurredAtUtcTicks))
            & EventFilter.Or(
                Beyond(occurred, after.OccurredAtUtcTicks),
                EventFilter.Eq(occurred, after.OccurredAtUtcTicks) & Beyond(recorded, after.RecordedAtUtcTicks),
                EventFilter.Eq(occurred, after.OccurredAtUtcTicks) & EventFilter.Eq(recorded, after.RecordedAtUtcTicks) & beyondId);
    }

    /// <summary>By when the event happened, then by when it was recorded, then by id (a total order); or all reversed.</summary>
    public static SortDefinition<EventDocument> TimelineSort(TimelineOrder order) =>
        order == TimelineOrder.NewestFirst ? NewestFirstSort : OldestFirstSort;

    static readonly SortDefinition<EventDocument> OldestFirstSort = Builders<EventDocument>.Sort
        .Ascending(EventDocument.OccurredAtField + TicksSuffix)
        .Ascending(EventDocument.RecordedAtField + TicksSuffix)
        .Ascending("_id");

    static readonly SortDefinition<EventDocument> NewestFirstSort = Builders<EventDocument>.Sort
        .Descending(EventDocument.OccurredAtField + TicksSuffix)
        .Descending(EventDocument.RecordedAtField + TicksSuffix)
        .Descending("_id");

    // --- Outbox ---

    /// <summary>
    /// A project with pending entries whose lease is free, expired, or already this owner's; <paramref name="skip"/>
    /// holds the projects this claim already took. <c>pendingSince</c> leads to the index; <c>outbox.0</c> (an entry is
    /// there) skips a project whose marker outlived its entries (see <see cref="PendingMarkerOutlived"/>).
    /// </summary>
    public static FilterDefinition<ProjectDocument> Claimable(string owner, DateTime now, IEnumerable<string> skip) =>
        HasPendingEntries
        & ProjectFilter.Nin(d => d.Id, skip)
        & (ProjectFilter.Exists(d => d.LeaseUntil, false)
           | ProjectFilter.Lt(d => d.LeaseUntil, now)
           | ProjectFilter.Eq(d => d.LeaseOwner, owner));

    /// <summary>Takes the lease. It leaves the version alone, so dispatching never conflicts with recording.</summary>
    public static UpdateDefinition<ProjectDocument> Lease(string owner, DateTime until) =>
        ProjectUpdate.Set(d => d.LeaseOwner, owner).Set(d => d.LeaseUntil, until);

    public static SortDefinition<ProjectDocument> OldestPendingFirst { get; } = Builders<ProjectDocument>.Sort.Ascending(d => d.PendingSince);

    /// <summary>Projects marked pending that hold at least one entry: the claim's and the backlog's set.</summary>
    public static FilterDefinition<ProjectDocument> HasPendingEntries { get; } =
        ProjectFilter.Exists(d => d.PendingSince) & ProjectFilter.Exists(ProjectDocument.OutboxField + ".0");

    /// <summary>The projects holding any of these entries.</summary>
    public static FilterDefinition<ProjectDocument> Holding(IReadOnlyCollection<Guid> messageIds) =>
        ProjectFilter.ElemMatch(d => d.Outbox, Builders<OutboxEntryDocument>.Filter.In(e => e.MessageId, messageIds));

    /// <summary>Mark sent, step 1: <c>$pull</c>s the sent entries by message id; repeating it removes nothing more.</summary>
    public static UpdateDefinition<ProjectDocument> RemoveSent(IReadOnlyCollection<Guid> messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        return ProjectUpdate.PullFilter(d => d.Outbox, Builders<OutboxEntryDocument>.Filter.In(e => e.MessageId, messageIds));
    }

    /// <summary>
    /// Mark sent, step 2: a project still marked pending whose outbox is now empty. Matched and cleared in one atomic
    /// update per document, so an entry pushed meanwhile (which makes <c>outbox.0</c> exist) keeps its marker.
    /// </summary>
    public static FilterDefinition<ProjectDocument> PendingMarkerOutlived { get; } =
        ProjectFilter.Exists(d => d.PendingSince) & ProjectFilter.Exists(ProjectDocument.OutboxField + ".0", false);

    /// <summary>Mark sent, step 2: the marker and the lease go; the project leaves the pending index.</summary>
    public static UpdateDefinition<ProjectDocument> ClearPendingMarker { get; } =
        ProjectUpdate.Unset(d => d.PendingSince).Unset(d => d.LeaseOwner).Unset(d => d.LeaseUntil);

    /// <summary>The backlog reads only the enqueue times of the pending projects' entries and counts on the client: no aggregation.</summary>
    public static ProjectionDefinition<ProjectDocument> EnqueueTimesOnly { get; } =
        Builders<ProjectDocument>.Projection.Include($"{ProjectDocument.OutboxField}.{OutboxEntryDocument.EnqueuedAtField}").Exclude("_id");

    /// <summary>The backlog of the documents <see cref="EnqueueTimesOnly"/> returns: how many entries, and the exact oldest enqueue time.</summary>
    public static OutboxBacklog BacklogOf(IEnumerable<BsonDocument> pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var ticks = pending
            .SelectMany(d => d.GetValue(ProjectDocument.OutboxField, new BsonArray()).AsBsonArray)
            .Select(e => e[OutboxEntryDocument.EnqueuedAtField][TicksSuffix[1..]].ToInt64())
            .ToList();
        return new OutboxBacklog(ticks.Count, ticks.Count == 0 ? null : new DateTimeOffset(ticks.Min(), TimeSpan.Zero));
    }

    // --- Indexes (the _id indexes make event ids and project ids unique) ---

    /// <summary>
    /// The timeline's keyset, read forwards (oldest first) or backwards (newest first), with <c>_id</c> last so that the
    /// index gives the whole sort. Named anew: <c>timeline</c>, the index of earlier versions (without <c>_id</c>), may be
    /// dropped once every replica runs this version.
    /// </summary>
    public static CreateIndexModel<EventDocument> TimelineIndex { get; } = new(
        Builders<EventDocument>.IndexKeys
            .Ascending(d => d.ProjectId)
            .Ascending(EventDocument.OccurredAtField + TicksSuffix)
            .Ascending(EventDocument.RecordedAtField + TicksSuffix)
            .Ascending("_id"),
        new CreateIndexOptions { Name = TimelineIndexName });

    /// <summary>
    /// The claim's sort key. A plain index (no partial filter, which not every MongoDB-compatible server supports):
    /// projects without pending entries sit at its null end, and there are only as many projects as the catalog has.
    /// Named anew: <c>outbox_pending</c>, the partial index of earlier versions, may be dropped.
    /// </summary>
    public static CreateIndexModel<ProjectDocument> PendingIndex { get; } = new(
        Builders<ProjectDocument>.IndexKeys.Ascending(d => d.PendingSince),
        new CreateIndexOptions<ProjectDocument> { Name = PendingIndexName });
}
