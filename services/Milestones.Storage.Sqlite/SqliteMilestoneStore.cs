using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Storage.Sqlite;

/// <summary>
/// The embedded store. One SQLite file in WAL mode with full synchronous commits: a commit that returns is on
/// disk, so a message is acknowledged only after its event is durable. The event, the project state and the
/// outbox entries of a change are written together, all or nothing.
/// <para>
/// Writes go through one writer with group commit (<see cref="GroupCommitWriter"/>): the commits that arrive while a
/// transaction is on its way to the disk share the next transaction, each in its own savepoint, so a disk write is
/// paid once per group rather than once per event, and a refused commit (a version conflict, an existing event)
/// leaves the others of its group alone. Every caller still returns only once its own commit is durable.
/// </para>
/// </summary>
public sealed class SqliteMilestoneStore : IPipelinedProjectStore, IOutboxStore
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly string connectionString;
    readonly TimeProvider time;
    readonly GroupCommitWriter writer;
    Action<CommitStep>? afterStep;

    /// <param name="path">The database file; created with its directory when missing.</param>
    /// <param name="time">The clock leases are measured with; the system clock when null.</param>
    public SqliteMilestoneStore(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        this.time = time ?? TimeProvider.System;
        var fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        Path = fullPath;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        SqliteSchema.Create(connection);
        writer = new GroupCommitWriter(OpenAsync);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>
    /// A test seam: called inside the transaction after each step of a commit, and after all the writes of a group
    /// before it is committed (<see cref="CommitStep.GroupWritten"/>), to inject a crash between them.
    /// </summary>
    internal Action<CommitStep>? AfterStep
    {
        get => afterStep;
        set
        {
            afterStep = value;
            writer.AfterStep = value;
        }
    }

    /// <summary>The writer, for tests: how many groups and writes it committed.</summary>
    internal GroupCommitWriter Writer => writer;

    public async Task<ProjectSnapshot?> LoadProject(string projectId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, version FROM projects WHERE project_id = $id";
        command.Parameters.AddWithValue("$id", projectId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadSnapshot(reader) : null;
    }

    public async Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, version FROM projects ORDER BY project_id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<ProjectSnapshot>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(ReadSnapshot(reader));
        }
        return result;
    }

    public Task<CommitResult> Commit(ProjectCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        return writer.Enqueue(new CommitWrite(this, commit, null) { Cancellation = cancellationToken });
    }

    public Task<CommitResult> CommitAfter(ProjectCommit commit, Task<CommitResult> predecessor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentNullException.ThrowIfNull(predecessor);
        return writer.Enqueue(new CommitWrite(this, commit, predecessor) { Cancellation = cancellationToken });
    }

    /// <summary>One commit, inside its savepoint of the group's transaction.</summary>
    sealed class CommitWrite(SqliteMilestoneStore store, ProjectCommit commit, Task<CommitResult>? predecessor) : WriteItem<CommitResult>
    {
        public override async Task<bool> Execute(WriteContext context)
        {
            if (predecessor is not null && !PredecessorCommitted(context))
            {
                // Computed on top of a state that was never written: nothing of it may be.
                Result = new CommitResult.VersionConflict();
                return false;
            }
            if (!await InsertEvent(context, commit.Event).ConfigureAwait(false))
            {
                Result = new CommitResult.EventExists(await ReadFingerprint(context, commit.Event.EventId).ConfigureAwait(false));
                return false;
            }
            store.afterStep?.Invoke(CommitStep.EventWritten);

            var version = commit.ExpectedVersion + 1;
            if (!await WriteState(context, commit, version).ConfigureAwait(false))
            {
                Result = new CommitResult.VersionConflict();
                return false;
            }
            store.afterStep?.Invoke(CommitStep.StateWritten);

            foreach (var entry in commit.Outbox)
            {
                await InsertOutbox(context, entry).ConfigureAwait(false);
            }
            store.afterStep?.Invoke(CommitStep.OutboxWritten);
            Result = new CommitResult.Committed(version);
            return true;
        }

        /// <summary>Earlier in this transaction (and kept), or in an earlier transaction that committed.</summary>
        bool PredecessorCommitted(WriteContext context)
        {
            if (predecessor!.IsCompleted)
            {
                return predecessor.IsCompletedSuccessfully && predecessor.Result is CommitResult.Committed;
            }
            // Writes run in submission order, so a predecessor of this store is done by now: in an earlier transaction
            // or earlier in this one. A pending task it never returned (a wrapper of it, say) would silently turn every
            // chained commit into a conflict; say so instead.
            return context.Kept.TryGetValue(predecessor, out var kept)
                ? kept
                : throw new InvalidOperationException(
                    "The predecessor of a chained commit is not a commit of this store: pass the task its Commit or CommitAfter returned.");
        }
    }

    public async Task<IReadOnlyList<EventRecord>> GetTimeline(string projectId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT event_id, project_id, milestone_code, occurred_at, reported_at, source_system, note, evidence_url, fingerprint, recorded_at,
                retracted_event_id
            FROM events WHERE project_id = $id ORDER BY occurred_at, rowid LIMIT $limit
            """;
        command.Parameters.AddWithValue("$id", projectId);
        command.Parameters.AddWithValue("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<EventRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new EventRecord(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1),
                reader.GetString(2),
                FromTicks(reader.GetInt64(3)),
                FromTicks(reader.GetInt64(4)),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetString(8),
                FromTicks(reader.GetInt64(9)),
                reader.IsDBNull(10) ? null : Guid.Parse(reader.GetString(10))));
        }
        return result;
    }

    public Task<IReadOnlyList<OutboxEntry>> ClaimPending(string owner, int maxCount, TimeSpan lease, CancellationToken cancellationToken) =>
        writer.Enqueue(new ClaimWrite(owner, maxCount, time.GetUtcNow(), lease) { Cancellation = cancellationToken });

    public Task MarkSent(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        return writer.Enqueue(new MarkSentWrite(messageIds, sentAt) { Cancellation = cancellationToken });
    }

    /// <summary>Leases up to <c>maxCount</c> pending entries, oldest first; goes through the writer like every write.</summary>
    sealed class ClaimWrite(string owner, int maxCount, DateTimeOffset now, TimeSpan lease) : WriteItem<IReadOnlyList<OutboxEntry>>
    {
        public override async Task<bool> Execute(WriteContext context)
        {
            // The pending rows only, through the partial index outbox_pending: sent entries never slow the claim down.
            var command = context.Statement("""
                UPDATE outbox SET lease_owner = $owner, lease_until = $until
                WHERE message_id IN (
                    SELECT message_id FROM outbox
                    WHERE sent_at IS NULL AND (lease_until IS NULL OR lease_until < $now OR lease_owner = $owner)
                    ORDER BY enqueued_at LIMIT $max)
                RETURNING payload, enqueued_at, trace_parent, kind
                """);
            command.Parameters.AddWithValue("$owner", owner);
            command.Parameters.AddWithValue("$until", (now + lease).UtcTicks);
            command.Parameters.AddWithValue("$now", now.UtcTicks);
            command.Parameters.AddWithValue("$max", maxCount);
            var claimed = new List<OutboxEntry>();
            await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    // Rows written before reopenings existed have no kind: they are completions.
                    ProjectAnnouncement message = !reader.IsDBNull(3) && reader.GetString(3) == ReopenedKind
                        ? JsonSerializer.Deserialize<ProjectReopening>(reader.GetString(0), Json)!
                        : JsonSerializer.Deserialize<ProjectCompletion>(reader.GetString(0), Json)!;
                    claimed.Add(new OutboxEntry(message.MessageId, message.ProjectId, FromTicks(reader.GetInt64(1)), message,
                        reader.IsDBNull(2) ? null : reader.GetString(2)));
                }
            }
            Result = claimed.OrderBy(e => e.EnqueuedAt).ToList();
            return true;
        }
    }

    sealed class MarkSentWrite(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt) : WriteItem<bool>
    {
        public override async Task<bool> Execute(WriteContext context)
        {
            var command = context.Statement("UPDATE outbox SET sent_at = $sent, lease_owner = NULL, lease_until = NULL WHERE message_id = $id");
            var id = command.Parameters.Add("$id", SqliteType.Text);
            command.Parameters.AddWithValue("$sent", sentAt.UtcTicks);
            foreach (var messageId in messageIds)
            {
                id.Value = messageId.ToString();
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            Result = true;
            return true;
        }
    }

    public async Task<OutboxBacklog> GetBacklog(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), MIN(enqueued_at) FROM outbox WHERE sent_at IS NULL";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new OutboxBacklog(reader.GetInt64(0), reader.IsDBNull(1) ? null : FromTicks(reader.GetInt64(1)));
    }

    /// <summary>Checks that the file can be opened and read; used by the readiness check.</summary>
    public async Task Ping(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    static async Task<bool> InsertEvent(WriteContext context, EventRecord e)
    {
        // The primary key makes the event id unique; a second insert of the same id does nothing.
        var command = context.Statement("""
            INSERT INTO events (event_id, project_id, milestone_code, occurred_at, reported_at, source_system, note, evidence_url, fingerprint, recorded_at,
                retracted_event_id)
            VALUES ($id, $project, $code, $occurred, $reported, $source, $note, $evidence, $fingerprint, $recorded, $retracted)
            ON CONFLICT (event_id) DO NOTHING
            """);
        command.Parameters.AddWithValue("$id", e.EventId.ToString());
        command.Parameters.AddWithValue("$project", e.ProjectId);
        command.Parameters.AddWithValue("$code", e.MilestoneCode);
        command.Parameters.AddWithValue("$occurred", e.OccurredAt.UtcTicks);
        command.Parameters.AddWithValue("$reported", e.ReportedAt.UtcTicks);
        command.Parameters.AddWithValue("$source", e.SourceSystem);
        command.Parameters.AddWithValue("$note", (object?)e.Note ?? DBNull.Value);
        command.Parameters.AddWithValue("$evidence", (object?)e.EvidenceUrl ?? DBNull.Value);
        command.Parameters.AddWithValue("$fingerprint", e.Fingerprint);
        command.Parameters.AddWithValue("$recorded", e.RecordedAt.UtcTicks);
        command.Parameters.AddWithValue("$retracted", (object?)e.RetractedEventId?.ToString() ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
    }

    static async Task<bool> WriteState(WriteContext context, ProjectCommit commit, long version)
    {
        // Optimistic concurrency: insert only if the project is new, update only the version the state was computed from.
        var command = context.Statement(commit.ExpectedVersion == 0
            ? "INSERT INTO projects (project_id, version, state, updated_at) VALUES ($id, $version, $state, $now) ON CONFLICT (project_id) DO NOTHING"
            : "UPDATE projects SET version = $version, state = $state, updated_at = $now WHERE project_id = $id AND version = $expected");
        command.Parameters.AddWithValue("$id", commit.State.ProjectId);
        command.Parameters.AddWithValue("$version", version);
        if (commit.ExpectedVersion != 0)
        {
            command.Parameters.AddWithValue("$expected", commit.ExpectedVersion);
        }
        command.Parameters.AddWithValue("$state", JsonSerializer.Serialize(StoredState.From(commit.State), Json));
        command.Parameters.AddWithValue("$now", commit.Event.RecordedAt.UtcTicks);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
    }

    static async Task InsertOutbox(WriteContext context, OutboxEntry entry)
    {
        var command = context.Statement("""
            INSERT INTO outbox (message_id, project_id, payload, enqueued_at, trace_parent, kind)
            VALUES ($id, $project, $payload, $enqueued, $traceParent, $kind)
            """);
        command.Parameters.AddWithValue("$id", entry.MessageId.ToString());
        command.Parameters.AddWithValue("$project", entry.ProjectId);
        command.Parameters.AddWithValue("$payload", entry.Message switch
        {
            ProjectReopening reopening => JsonSerializer.Serialize(reopening, Json),
            ProjectCompletion completion => JsonSerializer.Serialize(completion, Json),
            var other => throw new ArgumentException($"No stored form for {other.GetType().Name}.", nameof(entry)),
        });
        command.Parameters.AddWithValue("$kind", entry.Message is ProjectReopening ? ReopenedKind : CompletedKind);
        command.Parameters.AddWithValue("$enqueued", entry.EnqueuedAt.UtcTicks);
        command.Parameters.AddWithValue("$traceParent", (object?)entry.TraceParent ?? DBNull.Value);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    static async Task<string> ReadFingerprint(WriteContext context, Guid eventId)
    {
        var command = context.Statement("SELECT fingerprint FROM events WHERE event_id = $id");
        command.Parameters.AddWithValue("$id", eventId.ToString());
        return (string)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    static ProjectSnapshot ReadSnapshot(SqliteDataReader reader) =>
        new(JsonSerializer.Deserialize<StoredState>(reader.GetString(0), Json)!.ToState(), reader.GetInt64(1));

    static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Configure(connection);
        return connection;
    }

    async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        Configure(connection);
        return connection;
    }

    static void Configure(SqliteConnection connection)
    {
        // FULL: a committed transaction survives power loss, not only a process crash (NORMAL in WAL mode does not).
        // cache_size 8 MiB (default 2): the event-id index is written at random places, and a page read back from the
        // OS costs a system call. wal_autocheckpoint 4000 pages (default 1000): pages written again and again (the
        // projects table, the end of the events table) are copied into the database once per checkpoint, so fewer
        // checkpoints copy fewer pages. Neither changes what is durable when: that is the WAL and synchronous=FULL.
        // Measured on the store alone (tests/Milestones.Benchmarks --only store): 80 -> 60 µs of CPU per event.
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous = FULL; PRAGMA cache_size = -8192; PRAGMA wal_autocheckpoint = 4000;";
        command.ExecuteNonQuery();
    }

    const string CompletedKind = "completed";
    const string ReopenedKind = "reopened";

    /// <summary>
    /// The stored shape of a project's state: flat lists, so the key orders are rebuilt on load. States written before
    /// retractions existed have neither retractions nor a reopen count, and load as none and 0.
    /// </summary>
    sealed record StoredState(
        string ProjectId, bool IsComplete, int CompletionCount, IReadOnlyList<ReachedMilestone> Reached,
        int ReopenCount = 0, IReadOnlyList<RetractionRecord>? Retractions = null)
    {
        public static StoredState From(ProjectState state) =>
            new(state.ProjectId, state.IsComplete, state.CompletionCount, state.Reached.Values.ToList(),
                state.ReopenCount, state.Retractions.Count == 0 ? null : state.Retractions.Values.ToList());

        public ProjectState ToState() => new()
        {
            ProjectId = ProjectId,
            IsComplete = IsComplete,
            CompletionCount = CompletionCount,
            ReopenCount = ReopenCount,
            Reached = Reached.ToImmutableSortedDictionary(m => m.Code, m => m, StringComparer.Ordinal),
            Retractions = (Retractions ?? []).ToImmutableSortedDictionary(r => r.RetractedEventId, r => r),
        };
    }
}

/// <summary>The steps of a commit, for fault injection in tests.</summary>
internal enum CommitStep
{
    EventWritten,
    StateWritten,
    OutboxWritten,

    /// <summary>Every write of a group is done; the transaction is not committed yet.</summary>
    GroupWritten,
}
