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
/// <para><b>Commit</b> (<see cref="Commit"/>): a batch of per-project commits in at most <c>3 + P</c> commands for
/// <c>P</c> projects, each project's state and outbox entries one atomic single-document write, run by
/// <see cref="MongoBatchCommit"/>. The steps, what a crash between them leaves and why no announcement is decided twice
/// are in the README ("The commit protocol"), the one description of it; no transaction is used anywhere.</para>
/// <para><b>Outbox.</b> A project with pending entries carries <c>pendingSince</c> (indexed). A dispatcher
/// leases whole projects (<c>leaseOwner</c>, <c>leaseUntil</c>) with a conditional update that leaves the version
/// alone, publishes their entries and pulls them by message id; a dispatcher that dies leaves a lease that expires.</para>
/// </summary>
public sealed partial class MongoMilestoneStore : IProjectStore, IOutboxStore, IStoreMaintenance
{
    readonly IMongoDatabase database;
    readonly IMongoCollection<ProjectDocument> projects;
    readonly IMongoCollection<EventDocument> events;
    readonly TimeProvider time;
    readonly MongoCommitCommands commands;

    public MongoMilestoneStore(IMongoDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        this.database = database;
        this.time = time;
        projects = database.GetCollection<ProjectDocument>(ProjectDocument.CollectionName);
        events = database.GetCollection<EventDocument>(EventDocument.CollectionName);
        commands = new MongoCommitCommands(events, projects);
    }

    /// <summary>A test seam: called after steps 2 and 3 of a batch commit, to inject a crash between them.</summary>
    internal Action<MongoCommitStep>? AfterStep { get; set; }

    /// <summary>One <c>find</c> <c>{_id: {$in: ids}}</c>, without the outbox; in the order of <paramref name="projectIds"/>.</summary>
    public async Task<IReadOnlyList<ProjectSnapshot>> LoadProjects(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(projectIds);
        var wanted = projectIds.Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            return [];
        }
        var documents = await projects.Find(MongoStoreProtocol.ProjectsByIds(wanted))
            .Project<ProjectDocument>(MongoStoreProtocol.WithoutOutbox)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var byId = documents.ToDictionary(d => d.Id, StringComparer.Ordinal);
        return wanted.Where(byId.ContainsKey).Select(id => byId[id].ToSnapshot()).ToList();
    }

    public async Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken)
    {
        var documents = await projects.Find(FilterDefinition<ProjectDocument>.Empty)
            .Project<ProjectDocument>(MongoStoreProtocol.WithoutOutbox)
            .SortBy(d => d.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return documents.Select(d => d.ToSnapshot()).ToList();
    }

    /// <summary>One <c>find</c> with the keyset filter, the sort the <c>timeline_keyset</c> index gives, and a limit one above the page.</summary>
    public async Task<TimelinePage> GetTimeline(string projectId, TimelineQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query = query.Validated();
        // Retractions are events of the timeline too (with retractedEventId): the recorder reads them back.
        var documents = await events.Find(MongoStoreProtocol.Timeline(projectId, query))
            .Sort(MongoStoreProtocol.TimelineSort(query.Order))
            .Limit(query.Limit + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TimelinePage.FromOneMore(documents.Select(d => d.ToRecord()).ToList(), query.Limit);
    }

    /// <summary>The batch commit (<see cref="MongoBatchCommit"/>): at most <c>3 + P</c> commands for <c>P</c> projects.</summary>
    public Task<IReadOnlyList<CommitResult>> Commit(IReadOnlyList<ProjectCommit> commits, CancellationToken cancellationToken) =>
        MongoBatchCommit.Run(commits, commands, AfterStep, cancellationToken);

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
}
