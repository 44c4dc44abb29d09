using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Storage.Sqlite;

/// <summary>
/// The embedded store. One SQLite file in WAL mode with full synchronous commits: a commit that returns is on
/// disk, so a message is acknowledged only after its event is durable. The event, the project state and the
/// outbox entries of a change are written in one transaction.
/// </summary>
public sealed class SqliteMilestoneStore : IProjectStore, IOutboxStore
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly string connectionString;
    readonly TimeProvider time;

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
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>A test seam: called inside the commit transaction after each step, to inject a crash between them.</summary>
    internal Action<CommitStep>? AfterStep { get; set; }

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

    public async Task<CommitResult> Commit(ProjectCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        await using var connection = await OpenAsync(cancellationToken);
        // BEGIN IMMEDIATE: take the write lock up front, so two writers never deadlock upgrading a read lock.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        if (!await InsertEvent(connection, transaction, commit.Event, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            var existing = await ReadFingerprint(connection, commit.Event.EventId, cancellationToken);
            return new CommitResult.EventExists(existing);
        }
        AfterStep?.Invoke(CommitStep.EventWritten);

        var version = commit.ExpectedVersion + 1;
        if (!await WriteState(connection, transaction, commit, version, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return new CommitResult.VersionConflict();
        }
        AfterStep?.Invoke(CommitStep.StateWritten);

        foreach (var entry in commit.Outbox)
        {
            await InsertOutbox(connection, transaction, entry, cancellationToken);
        }
        AfterStep?.Invoke(CommitStep.OutboxWritten);

        await transaction.CommitAsync(cancellationToken);
        return new CommitResult.Committed(version);
    }

    public async Task<IReadOnlyList<EventRecord>> GetTimeline(string projectId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT event_id, project_id, milestone_code, occurred_at, reported_at, source_system, note, evidence_url, fingerprint, recorded_at
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
                FromTicks(reader.GetInt64(9))));
        }
        return result;
    }

    public async Task<IReadOnlyList<OutboxEntry>> ClaimPending(string owner, int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE outbox SET lease_owner = $owner, lease_until = $until
            WHERE message_id IN (
                SELECT message_id FROM outbox
                WHERE sent_at IS NULL AND (lease_until IS NULL OR lease_until < $now OR lease_owner = $owner)
                ORDER BY enqueued_at LIMIT $max)
            RETURNING payload, enqueued_at, trace_parent
            """;
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$until", (now + lease).UtcTicks);
        command.Parameters.AddWithValue("$now", now.UtcTicks);
        command.Parameters.AddWithValue("$max", maxCount);
        var claimed = new List<OutboxEntry>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var completion = JsonSerializer.Deserialize<ProjectCompletion>(reader.GetString(0), Json)!;
                claimed.Add(new OutboxEntry(completion.MessageId, completion.ProjectId, FromTicks(reader.GetInt64(1)), completion,
                    reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return claimed.OrderBy(e => e.EnqueuedAt).ToList();
    }

    public async Task MarkSent(IReadOnlyCollection<Guid> messageIds, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE outbox SET sent_at = $sent, lease_owner = NULL, lease_until = NULL WHERE message_id = $id";
        var id = command.Parameters.Add("$id", SqliteType.Text);
        command.Parameters.AddWithValue("$sent", sentAt.UtcTicks);
        foreach (var messageId in messageIds)
        {
            id.Value = messageId.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
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

    static async Task<bool> InsertEvent(SqliteConnection connection, SqliteTransaction transaction, EventRecord e, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The primary key makes the event id unique; a second insert of the same id does nothing.
        command.CommandText = """
            INSERT INTO events (event_id, project_id, milestone_code, occurred_at, reported_at, source_system, note, evidence_url, fingerprint, recorded_at)
            VALUES ($id, $project, $code, $occurred, $reported, $source, $note, $evidence, $fingerprint, $recorded)
            ON CONFLICT (event_id) DO NOTHING
            """;
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
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    static async Task<bool> WriteState(SqliteConnection connection, SqliteTransaction transaction, ProjectCommit commit, long version, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Optimistic concurrency: insert only if the project is new, update only the version the state was computed from.
        command.CommandText = commit.ExpectedVersion == 0
            ? "INSERT INTO projects (project_id, version, state, updated_at) VALUES ($id, $version, $state, $now) ON CONFLICT (project_id) DO NOTHING"
            : "UPDATE projects SET version = $version, state = $state, updated_at = $now WHERE project_id = $id AND version = $expected";
        command.Parameters.AddWithValue("$id", commit.State.ProjectId);
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$expected", commit.ExpectedVersion);
        command.Parameters.AddWithValue("$state", JsonSerializer.Serialize(StoredState.From(commit.State), Json));
        command.Parameters.AddWithValue("$now", commit.Event.RecordedAt.UtcTicks);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    static async Task InsertOutbox(SqliteConnection connection, SqliteTransaction transaction, OutboxEntry entry, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO outbox (message_id, project_id, payload, enqueued_at, trace_parent)
            VALUES ($id, $project, $payload, $enqueued, $traceParent)
            """;
        command.Parameters.AddWithValue("$id", entry.MessageId.ToString());
        command.Parameters.AddWithValue("$project", entry.ProjectId);
        command.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(entry.Completion, Json));
        command.Parameters.AddWithValue("$enqueued", entry.EnqueuedAt.UtcTicks);
        command.Parameters.AddWithValue("$traceParent", (object?)entry.TraceParent ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<string> ReadFingerprint(SqliteConnection connection, Guid eventId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT fingerprint FROM events WHERE event_id = $id";
        command.Parameters.AddWithValue("$id", eventId.ToString());
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
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
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous = FULL;";
        command.ExecuteNonQuery();
    }

    /// <summary>The stored shape of a project's state: a flat list, so the ordinal key order is rebuilt on load.</summary>
    sealed record StoredState(string ProjectId, bool IsComplete, int CompletionCount, IReadOnlyList<ReachedMilestone> Reached)
    {
        public static StoredState From(ProjectState state) =>
            new(state.ProjectId, state.IsComplete, state.CompletionCount, state.Reached.Values.ToList());

        public ProjectState ToState() => new()
        {
            ProjectId = ProjectId,
            IsComplete = IsComplete,
            CompletionCount = CompletionCount,
            Reached = Reached.ToImmutableSortedDictionary(m => m.Code, m => m, StringComparer.Ordinal),
        };
    }
}

/// <summary>The steps of a commit, for fault injection in tests.</summary>
internal enum CommitStep
{
    EventWritten,
    StateWritten,
    OutboxWritten,
}
