using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB.Documents;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// The production store on MongoDB, correct on a standalone server and on a replica set alike because it never
/// needs a multi-document transaction.
/// <para><b>Layout.</b> <c>events</c>: one document per event, milestone reports and retractions alike (a retraction
/// carries <c>retractedEventId</c>), <c>_id</c> = event id (unique by construction), with its fingerprint and an
/// <c>applied</c> flag. <c>projects</c>: one document per project, <c>_id</c> = project id, holding the state (reached
/// milestones, retractions, completion and reopen counts), a <c>version</c> and the pending outbox entries
/// (completions and reopenings, told apart by <c>kind</c>), so that a state change and its intent to publish are one
/// single-document atomic write.</para>
/// <para><b>Commit</b> (<see cref="Commit"/>) is three writes:</para>
/// <list type="number">
/// <item>Insert the event document with <c>applied: false</c>. On a duplicate key, read the stored one: another
/// fingerprint → <see cref="CommitResult.EventExists"/> (a conflict); same fingerprint and applied →
/// <see cref="CommitResult.EventExists"/> (a duplicate); same fingerprint, not applied → an earlier attempt stopped
/// between writes, so carry on with step 2 to finish it.</item>
/// <item>Write the project: for expected version 0 insert it at version 1 (a duplicate key means another writer
/// created it first); otherwise update <c>{_id, version: expected}</c>, setting the state, <c>$inc</c>-ing the
/// version and <c>$push</c>-ing the outbox entries. No match → <see cref="CommitResult.VersionConflict"/>.</item>
/// <item>Set <c>applied: true</c> on the event.</item>
/// </list>
/// <para><b>Crash (or failed write) at each point</b>, remembering that the message is acknowledged only after
/// <see cref="Commit"/> returns, so the broker redelivers it, and that applying an event is a merge (per milestone the
/// earliest report wins; a completion is decided only on the incomplete → complete transition, a reopening only on
/// the way back, and a retraction already in the state changes nothing):</para>
/// <list type="bullet">
/// <item>Before or during step 1: nothing or an unapplied event is stored. The redelivery inserts it or finds it
/// unapplied and proceeds as a first attempt.</item>
/// <item>Between steps 1 and 2, or step 2 lost a version race: the event is stored unapplied; the state and the
/// outbox are untouched. Unapplied events are not in the timeline, so readers see nothing of it, as with SQLite.
/// The retry reloads the project, re-applies and finds the event unapplied: it carries on.</item>
/// <item>Between steps 2 and 3: the state and its outbox entries are durable together; the event is still marked
/// unapplied and so is missing from the timeline until the redelivery. The redelivery loads a state that already
/// contains the event; applying it again changes nothing and decides no completion (the project is already
/// complete), so step 2 writes the same state at the next version with no outbox entry, and step 3 marks the event
/// applied. No second completion can arise. A retraction likewise finds itself in the state's retractions and
/// decides no second reopening. (Until then the event is missing from the timeline, which is also what a retraction
/// reads to find the report it withdraws.)</item>
/// <item>After step 3: the redelivery finds the event applied → duplicate.</item>
/// </list>
/// <para>Two writers racing on one project both compute from the version they loaded; the version filter lets only
/// one of them through, the other reloads and re-applies (<c>MilestoneRecorder</c>), so no update is lost and a
/// completion (or reopening) is pushed exactly once, by the writer whose update made the transition. Write concern
/// <c>majority</c> with journaling (the default) makes every acknowledged step survive a failover, and retryable
/// writes let the driver repeat a write interrupted by one without applying it twice.</para>
/// <para><b>Outbox.</b> A project with pending entries carries <c>pendingSince</c> (indexed). A dispatcher
/// leases whole projects (<c>leaseOwner</c>, <c>leaseUntil</c>) with a conditional update that leaves the version
/// alone, publishes their entries and pulls them by message id; a dispatcher that dies leaves a lease that expires.</para>
/// </summary>
public sealed class MongoMilestoneStore : IProjectStore, IOutboxStore
{
    readonly IMongoDatabase database;
    readonly IMongoCollection<ProjectDocument> projects;
    readonly IMongoCollection<EventDocument> events;
    readonly TimeProvider time;

    public MongoMilestoneStore(IMongoDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        this.database = database;
        this.time = time;
        projects = database.GetCollection<ProjectDocument>(ProjectDocument.CollectionName);
        events = database.GetCollection<EventDocument>(EventDocument.CollectionName);
    }

    /// <summary>A test seam: called after each write of a commit, to inject a crash between them.</summary>
    internal Action<MongoCommitStep>? AfterStep { get; set; }

    public async Task<ProjectSnapshot?> LoadProject(string projectId, CancellationToken cancellationToken)
    {
        var document = await projects.Find(MongoStoreProtocol.ProjectById(projectId)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return document?.ToSnapshot();
    }

    public async Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken)
    {
        var documents = await projects.Find(FilterDefinition<ProjectDocument>.Empty)
            .Project<ProjectDocument>(Builders<ProjectDocument>.Projection.Exclude(d => d.Outbox))
            .SortBy(d => d.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return documents.Select(d => d.ToSnapshot()).ToList();
    }

    public async Task<IReadOnlyList<EventRecord>> GetTimeline(string projectId, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }
        // Retractions are events of the timeline too (with retractedEventId): the recorder reads them back.
        var documents = await events.Find(MongoStoreProtocol.Timeline(projectId))
            .Sort(MongoStoreProtocol.TimelineOrder)
            .Limit(MongoStoreProtocol.TimelineLimit(limit))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return documents.Select(d => d.ToRecord()).ToList();
    }

    public async Task<CommitResult> Commit(ProjectCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        if (await RecordEvent(commit.Event, cancellationToken).ConfigureAwait(false) is { } exists)
        {
            return exists;
        }
        AfterStep?.Invoke(MongoCommitStep.EventRecorded);
        if (!await WriteProject(commit, cancellationToken).ConfigureAwait(false))
        {
            return new CommitResult.VersionConflict();
        }
        AfterStep?.Invoke(MongoCommitStep.ProjectWritten);
        await events.UpdateOneAsync(MongoStoreProtocol.EventById(commit.Event.EventId), MongoStoreProtocol.MarkApplied(), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return new CommitResult.Committed(commit.ExpectedVersion + 1);
    }

    public async Task<IReadOnlyList<OutboxEntry>> ClaimPending(string owner, int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var now = time.GetUtcNow().UtcDateTime;
        var options = new FindOneAndUpdateOptions<ProjectDocument>
        {
            Sort = MongoStoreProtocol.OldestPendingFirst,
            ReturnDocument = ReturnDocument.After,
        };
        var claimed = new List<OutboxEntry>();
        var leased = new List<string>();
        // One project at a time: each claim is an atomic conditional update, so two dispatchers never hold the same project.
        while (claimed.Count < maxCount)
        {
            var document = await projects.FindOneAndUpdateAsync(
                MongoStoreProtocol.Claimable(owner, now, leased), MongoStoreProtocol.Lease(owner, now + lease), options, cancellationToken).ConfigureAwait(false);
            if (document is null)
            {
                break;
            }
            leased.Add(document.Id);
            // Entries beyond maxCount stay leased to this owner, which may claim them again at once.
            claimed.AddRange(document.Outbox.OrderBy(e => e.EnqueuedAt).Take(maxCount - claimed.Count).Select(e => e.ToDomain(document.Id)));
        }
        return claimed.OrderBy(e => e.EnqueuedAt).ToList();
    }

    public async Task MarkSent(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return;
        }
        // Each project's update is atomic on its own; repeating it (after a failure) removes nothing more. Two classic
        // updates instead of one pipeline: pull the entries, then clear the marker of the projects left empty. A crash
        // between them leaves a marker on an empty outbox, which the claim and the backlog skip (outbox.0) and the next
        // mark-sent clears.
        await projects.UpdateManyAsync(MongoStoreProtocol.Holding(messageIds), MongoStoreProtocol.RemoveSent(messageIds), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await projects.UpdateManyAsync(MongoStoreProtocol.PendingMarkerOutlived, MongoStoreProtocol.ClearPendingMarker, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<OutboxBacklog> GetBacklog(CancellationToken cancellationToken)
    {
        var pending = await projects.Find(MongoStoreProtocol.HasPendingEntries)
            .Project(MongoStoreProtocol.EnqueueTimesOnly)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return MongoStoreProtocol.BacklogOf(pending);
    }

    /// <summary>Creates the secondary indexes; idempotent, so every replica runs it at startup.</summary>
    public async Task EnsureIndexes(CancellationToken cancellationToken)
    {
        await events.Indexes.CreateOneAsync(MongoStoreProtocol.TimelineIndex, cancellationToken: cancellationToken).ConfigureAwait(false);
        await projects.Indexes.CreateOneAsync(MongoStoreProtocol.PendingIndex, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the server to answer; used by the readiness check.</summary>
    public Task Ping(CancellationToken cancellationToken) =>
        database.RunCommandAsync((Command<BsonDocument>)new BsonDocument("ping", 1), cancellationToken: cancellationToken);

    /// <summary>Step 1. Returns the result to give back when the event must not be applied (again), else null.</summary>
    async Task<CommitResult.EventExists?> RecordEvent(EventRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await events.InsertOneAsync(EventDocument.From(record), cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (MongoWriteException ex) when (ex.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            var stored = await events.Find(MongoStoreProtocol.EventById(record.EventId)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Event {record.EventId} was reported as a duplicate but cannot be read back.", ex);
            return stored.Fingerprint != record.Fingerprint || stored.Applied ? new CommitResult.EventExists(stored.Fingerprint) : null;
        }
    }

    /// <summary>Step 2. False when the project is not at the expected version.</summary>
    async Task<bool> WriteProject(ProjectCommit commit, CancellationToken cancellationToken)
    {
        if (commit.ExpectedVersion == 0)
        {
            try
            {
                await projects.InsertOneAsync(ProjectDocument.First(commit), cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (MongoWriteException ex) when (ex.WriteError.Category == ServerErrorCategory.DuplicateKey)
            {
                return false;
            }
        }
        var result = await projects.UpdateOneAsync(
            MongoStoreProtocol.AtVersion(commit.State.ProjectId, commit.ExpectedVersion), MongoStoreProtocol.ApplyCommit(commit), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return result.MatchedCount == 1;
    }
}

/// <summary>The writes of a commit, for fault injection in tests.</summary>
internal enum MongoCommitStep
{
    EventRecorded,
    ProjectWritten,
}
