using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB.Documents;
using MongoDB.Driver;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// The commands a batch commit sends, one method per command, so that <see cref="MongoBatchCommit"/> (which decides
/// what to send and what the answers mean) can be tested without a server by counting and rendering what it asks for.
/// <see cref="MongoCommitCommands"/> sends them through the driver.
/// </summary>
internal interface IMongoCommitCommands
{
    /// <summary>
    /// Step 1, one unordered <c>insertMany</c>: inserts every document it can; returns the positions of those refused
    /// because their <c>_id</c> exists. Throws on any other failure.
    /// </summary>
    Task<IReadOnlySet<int>> InsertEvents(IReadOnlyList<EventDocument> documents, CancellationToken cancellationToken);

    /// <summary>Step 2, one <c>find</c>: the stored events the filter matches.</summary>
    Task<IReadOnlyList<EventDocument>> FindEvents(FilterDefinition<EventDocument> filter, CancellationToken cancellationToken);

    /// <summary>Step 3 for a new project, one <c>insert</c>: false when a document with its <c>_id</c> exists.</summary>
    Task<bool> InsertProject(ProjectDocument document, CancellationToken cancellationToken);

    /// <summary>Step 3 for an existing project, one <c>update</c> of at most one document: false when none matched.</summary>
    Task<bool> UpdateProject(FilterDefinition<ProjectDocument> filter, UpdateDefinition<ProjectDocument> update, CancellationToken cancellationToken);

    /// <summary>Step 4, one <c>update</c> with <c>multi: true</c>.</summary>
    Task MarkApplied(FilterDefinition<EventDocument> filter, UpdateDefinition<EventDocument> update, CancellationToken cancellationToken);
}

/// <summary>The writes of a batch commit, for fault injection in tests (<see cref="MongoMilestoneStore.AfterStep"/>).</summary>
internal enum MongoCommitStep
{
    /// <summary>After steps 1 and 2: the events are inserted (unapplied) and the duplicates sorted out; no project written.</summary>
    EventsInserted,

    /// <summary>After step 3: every project that could be written is; no event of the batch is marked applied yet.</summary>
    ProjectsWritten,
}

/// <summary>
/// The commit protocol: a batch of per-project commits in at most <c>3 + P</c> commands for <c>P</c> projects, however
/// many events each carries. This is the one implementation of the write sequence (the store's <c>Commit</c> runs it,
/// and the repair of <c>rebuild</c> reuses its project writes and state update); the README ("The commit protocol")
/// is the one description of the steps, of what a crash between them leaves and of why nothing is decided twice.
/// </summary>
internal static class MongoBatchCommit
{
    /// <summary>The most commands a batch touching <paramref name="projects"/> projects sends.</summary>
    public static int CommandBound(int projects) => 3 + projects;

    public static async Task<IReadOnlyList<CommitResult>> Run(
        IReadOnlyList<ProjectCommit> commits, IMongoCommitCommands commands, Action<MongoCommitStep>? afterStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commits);
        ArgumentNullException.ThrowIfNull(commands);
        Validate(commits);
        var results = new CommitResult?[commits.Count];
        if (commits.Count == 0)
        {
            return [];
        }

        // Step 1: every event of every commit, unapplied, in one unordered insert; each refused on its own by _id.
        var documents = new List<EventDocument>();
        var owners = new List<int>();
        for (var k = 0; k < commits.Count; k++)
        {
            foreach (var e in commits[k].Events)
            {
                documents.Add(EventDocument.From(e));
                owners.Add(k);
            }
        }
        var duplicates = await commands.InsertEvents(documents, cancellationToken).ConfigureAwait(false);

        // Step 2: read the refused ones back, in one find. An event stored with another fingerprint, or already applied,
        // keeps its commit from being written; one stored unapplied with the same fingerprint is what an earlier attempt
        // left midway, and its commit carries on as if it had inserted it.
        if (duplicates.Count > 0)
        {
            var positions = duplicates.Order().ToList();
            var stored = (await commands.FindEvents(MongoStoreProtocol.EventsByIds(positions.Select(i => documents[i].Id)), cancellationToken)
                    .ConfigureAwait(false))
                .ToDictionary(d => d.Id);
            var existing = new Dictionary<int, Dictionary<Guid, string>>();
            foreach (var i in positions)
            {
                var mine = documents[i];
                var found = stored.GetValueOrDefault(mine.Id)
                    ?? throw new InvalidOperationException($"Event {mine.Id} was refused as a duplicate but cannot be read back.");
                if (found.Fingerprint != mine.Fingerprint || found.Applied)
                {
                    var fingerprints = existing.TryGetValue(owners[i], out var known) ? known : existing[owners[i]] = [];
                    fingerprints[mine.Id] = found.Fingerprint;
                }
            }
            foreach (var (k, fingerprints) in existing)
            {
                results[k] = new CommitResult.EventsExist(fingerprints);
            }
        }
        afterStep?.Invoke(MongoCommitStep.EventsInserted);

        // Step 3: one version-checked write per remaining project; they are independent, so they run at once.
        var writing = Enumerable.Range(0, commits.Count).Where(k => results[k] is null).ToList();
        var written = await Task.WhenAll(writing.Select(k => WriteProject(commits[k], commands, cancellationToken))).ConfigureAwait(false);
        var committedEvents = new List<Guid>();
        for (var w = 0; w < writing.Count; w++)
        {
            var commit = commits[writing[w]];
            if (written[w])
            {
                results[writing[w]] = new CommitResult.Committed(commit.ExpectedVersion + 1);
                committedEvents.AddRange(commit.Events.Select(e => e.EventId));
            }
            else
            {
                results[writing[w]] = new CommitResult.VersionConflict();
            }
        }
        afterStep?.Invoke(MongoCommitStep.ProjectsWritten);

        // Step 4: the committed events join the timeline, in one update of them all.
        if (committedEvents.Count > 0)
        {
            await commands.MarkApplied(MongoStoreProtocol.EventsByIds(committedEvents), MongoStoreProtocol.MarkApplied(), cancellationToken)
                .ConfigureAwait(false);
        }
        return results!;
    }

    /// <summary>Step 3 for one project: false when it is not at the expected version.</summary>
    static Task<bool> WriteProject(ProjectCommit commit, IMongoCommitCommands commands, CancellationToken cancellationToken) =>
        commit.ExpectedVersion == 0
            ? commands.InsertProject(ProjectDocument.First(commit), cancellationToken)
            : commands.UpdateProject(MongoStoreProtocol.AtVersion(commit.ProjectId, commit.ExpectedVersion), MongoStoreProtocol.ApplyCommit(commit), cancellationToken);

    /// <summary>
    /// What the protocol relies on: one commit per project, at least one event in each, each event of its commit's
    /// project, and no event id twice in the batch (a second copy would be read back as the first's unapplied
    /// insert and applied by both commits).
    /// </summary>
    static void Validate(IReadOnlyList<ProjectCommit> commits)
    {
        var projects = new HashSet<string>(StringComparer.Ordinal);
        var eventIds = new HashSet<Guid>();
        foreach (var commit in commits)
        {
            ArgumentNullException.ThrowIfNull(commit, nameof(commits));
            if (!projects.Add(commit.ProjectId))
            {
                throw new ArgumentException($"The batch holds two commits of project '{commit.ProjectId}'.", nameof(commits));
            }
            if (commit.ExpectedVersion < 0)
            {
                throw new ArgumentException($"The commit of project '{commit.ProjectId}' expects version {commit.ExpectedVersion}.", nameof(commits));
            }
            if (commit.Events.Count == 0)
            {
                throw new ArgumentException($"The commit of project '{commit.ProjectId}' has no events.", nameof(commits));
            }
            foreach (var e in commit.Events)
            {
                if (e.ProjectId != commit.ProjectId)
                {
                    throw new ArgumentException($"Event {e.EventId} of project '{e.ProjectId}' is in the commit of '{commit.ProjectId}'.", nameof(commits));
                }
                if (!eventIds.Add(e.EventId))
                {
                    throw new ArgumentException($"Event {e.EventId} is in the batch twice.", nameof(commits));
                }
            }
        }
    }
}

/// <summary>The commands of a batch commit, sent through the driver on the store's collections.</summary>
internal sealed class MongoCommitCommands(IMongoCollection<EventDocument> events, IMongoCollection<ProjectDocument> projects) : IMongoCommitCommands
{
    static readonly InsertManyOptions Unordered = new() { IsOrdered = false };

    public async Task<IReadOnlySet<int>> InsertEvents(IReadOnlyList<EventDocument> documents, CancellationToken cancellationToken)
    {
        try
        {
            await events.InsertManyAsync(documents, Unordered, cancellationToken).ConfigureAwait(false);
            return new HashSet<int>();
        }
        catch (MongoBulkWriteException<EventDocument> ex)
            when (MongoStoreProtocol.DuplicatesOnly(
                      ex.WriteErrors.Select(e => (e.Index, e.Category)), ex.WriteConcernError is not null, ex.UnprocessedRequests.Count) is { } duplicates)
        {
            return duplicates;
        }
    }

    public async Task<IReadOnlyList<EventDocument>> FindEvents(FilterDefinition<EventDocument> filter, CancellationToken cancellationToken) =>
        await events.Find(filter).ToListAsync(cancellationToken).ConfigureAwait(false);

    public async Task<bool> InsertProject(ProjectDocument document, CancellationToken cancellationToken)
    {
        try
        {
            await projects.InsertOneAsync(document, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (MongoWriteException ex) when (ex.WriteError?.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<bool> UpdateProject(FilterDefinition<ProjectDocument> filter, UpdateDefinition<ProjectDocument> update, CancellationToken cancellationToken)
    {
        var result = await projects.UpdateOneAsync(filter, update, cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.MatchedCount == 1;
    }

    public Task MarkApplied(FilterDefinition<EventDocument> filter, UpdateDefinition<EventDocument> update, CancellationToken cancellationToken) =>
        events.UpdateManyAsync(filter, update, cancellationToken: cancellationToken);
}
